"""Simulate the fit's data from the structural model with known parameters (NumPy only).

Used for parameter recovery (``benchmarks/bench_recovery.py``, ``tests/test_model_bayes.py``):
data drawn from the model at known ``λ`` and ``κ`` on a given *design* (the months, which
side released in which month, the research-compute history and the cross-section's
compute and dates), then refitted. Also gives the prior spread of the latent states.

``synthetic_design`` makes a design of a chosen size without any store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from gapcast.model.fitdata import CrossSection, FitData, StateSeries

Array = NDArray[np.float64]
LN_FLOP_CENTRE = 24.0 * np.log(10.0)
YEAR_CENTRE = 2024.0

TRUTH = {
    "lambda": 4.0,
    "kappa": 0.15,
    "theta_leader": 0.6,
    "theta_challenger": 0.5,
    "shock_scale": 1.0,
    "shock_df": 10.0,
    "obs_sd": 2.0,
    "initial_state_sd": 8.0,
    "cs_level": 112.0,
    "cs_slope": 8.0,
    "cs_curvature": 2.0,
    "cs_challenger": 1.0,
    "cs_other": 0.0,
    "cs_noise": 7.0,
}
"""Default true values for recovery: near the mirror's posterior means."""


def simulate_states(
    params: Mapping[str, Array],
    series: StateSeries,
    lag: int,
    rng: np.random.Generator,
) -> Array:
    """Simulate both sides' states for ``S`` parameter rows; return ``(S, months, 2)``.

    ``params`` holds arrays of shape ``(S,)`` for ``lambda``, ``kappa``, ``theta_leader``,
    ``theta_challenger``, ``shock_scale``, ``shock_df`` and ``initial_state_sd``. The
    start states are ``N(series.initial, initial_state_sd)``.
    """
    lam = np.asarray(params["lambda"], np.float64)
    size = lam.shape[0]
    months = series.months
    theta = np.column_stack([params["theta_leader"], params["theta_challenger"]])
    kappa = np.asarray(params["kappa"], np.float64)[:, None]
    sigma = np.asarray(params["shock_scale"], np.float64)[:, None]
    df = np.asarray(params["shock_df"], np.float64)
    d_ln_r = np.diff(series.ln_research, axis=0)
    states = np.empty((size, months, 2))
    sd0 = np.asarray(params["initial_state_sd"], np.float64)[:, None]
    states[:, 0] = series.initial[None, :] + sd0 * rng.standard_normal((size, 2))
    z = rng.standard_t(np.repeat(df[:, None, None], 2, axis=2), size=(size, months - 1, 2))
    for t in range(months - 1):
        c = states[:, t]
        other = states[:, max(t + 1 - lag, 0), ::-1]
        gap = np.maximum(0.0, other - c)
        states[:, t + 1] = c + theta + lam[:, None] * d_ln_r[t] + kappa * gap + sigma * z[:, t]
    return states


def simulate(
    design: FitData,
    truth: Mapping[str, float],
    lag: int,
    rng: np.random.Generator,
) -> FitData:
    """Draw a data set from the model at ``truth`` on ``design``'s months, mask and compute.

    The cross-section keeps ``design``'s compute, dates and groups and draws new ECI
    scores; the monthly series keeps which side released in which month (and the
    reported standard errors) and draws new release values around simulated states.
    """
    cs = design.cross
    mu = (
        truth["cs_level"]
        + truth["cs_slope"] * (cs.year - YEAR_CENTRE)
        + truth["cs_curvature"] * (cs.year - YEAR_CENTRE) ** 2
        + truth["lambda"] * (cs.ln_flop - LN_FLOP_CENTRE)
        + truth["cs_challenger"] * cs.challenger
        + truth["cs_other"] * cs.other
    )
    eci = mu + truth["cs_noise"] * rng.standard_normal(cs.size)
    series = design.series
    one = {k: np.array([float(v)]) for k, v in truth.items()}
    one["initial_state_sd"] = np.array([0.0])
    states = simulate_states(one, series, lag, rng)[0]
    seen = np.isfinite(series.release)
    noise = np.sqrt(truth["obs_sd"] ** 2 + series.release_se**2) * rng.standard_normal(states.shape)
    release = np.where(seen, states + noise, np.nan)
    return FitData(
        as_of=design.as_of,
        labels=design.labels,
        cross=CrossSection(eci, cs.ln_flop, cs.year, cs.challenger, cs.other),
        series=StateSeries(
            series.start,
            release,
            series.release_se,
            series.ln_research,
            release_initial(release, series.initial),
        ),
        research_proxy=design.research_proxy,
        margin=design.margin,
    )


def release_initial(release: Array, fallback: Array) -> Array:
    """Return each side's first observed release (``fallback`` where a side has none)."""
    out = np.asarray(fallback, np.float64).copy()
    for b in range(release.shape[1]):
        seen = np.isfinite(release[:, b])
        if seen.any():
            out[b] = release[seen, b][0]
    return out


def synthetic_design(
    rng: np.random.Generator,
    *,
    months: int = 31,
    cross_rows: int = 85,
    release_prob: tuple[float, float] = (0.7, 0.5),
) -> FitData:
    """Return a design shaped like the mirror's (values are placeholders, redrawn by ``simulate``).

    Research compute grows ~1.1 (leader) and ~0.55 (challenger) e-folds a year, in uneven
    steps (clusters come online in lumps); the cross-section spans 2023-2025 and 1e22-5e26
    FLOP with 35% challenger and 10% other-country models.
    """
    steps = rng.gamma(0.5, 1.0, size=(months - 1, 2)) * np.array([1.1, 0.55]) / 12 / 0.5
    ln_r = np.vstack([np.zeros((1, 2)), np.cumsum(steps, axis=0)]) + np.array([11.0, 10.0])
    mask = rng.random((months, 2)) < np.array(release_prob)
    mask[0] = True
    release = np.where(mask, 0.0, np.nan)
    year = rng.uniform(2023.0, 2026.0, cross_rows)
    group = rng.random(cross_rows)
    challenger = (group < 0.35).astype(np.float64)
    other = ((group >= 0.35) & (group < 0.45)).astype(np.float64)
    ln_flop = np.log(10.0) * rng.uniform(22.0, 26.7, cross_rows)
    return FitData(
        as_of=dt.date(2025, 12, 31),
        labels=("leader", "challenger"),
        cross=CrossSection(np.zeros(cross_rows), ln_flop, year, challenger, other),
        series=StateSeries(
            dt.date(2023, 6, 1), release, np.zeros((months, 2)), ln_r, np.array([120.0, 110.0])
        ),
    )


__all__ = ["TRUTH", "release_initial", "simulate", "simulate_states", "synthetic_design"]
