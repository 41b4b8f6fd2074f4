r"""Calibration: the trend spread, residual half-life and ensemble weight from the backtest.

What ``gapcast calibrate`` computes.

Three settings were placeholders until a backtest could score them; each is now chosen by
the mean CRPS of the gap over every origin and horizon of the ECI backtest where both
models forecast (``gapcast.evaluate.backtest``), in this order:

1. ``trend.common_progress`` ``rho``: the trend model is simulated once per origin with
   ``rho = 0`` and every ``rho`` of ``RHO_GRID`` is applied to the same draws
   (``with_common_progress``); the ``rho`` with the lowest mean CRPS is kept.
2. ``capability.efficiency_half_life_months`` ``tau``: the compute model is run with ``tau``
   fixed at each value of ``TAU_GRID`` (common random numbers), and the uncalibrated prior
   (``PRIORS``) is updated on that grid by the likelihood of the observed gaps (a kernel
   density of the draws), tempered because overlapping forecasts are not independent
   (``half_life_posterior``; ``effective_checks``: ``n_h`` forecasts at horizon ``h`` count
   as ``n_h / h`` independent ones). The
   calibrated prior is the lognormal matching the posterior of ``ln tau``. The mean CRPS
   per ``tau`` (and the values within one overlap-corrected standard error of the best)
   are reported beside it.
3. ``ensemble.compute_weight`` ``w``: the mixture's CRPS is a quadratic in ``w``,

   .. math:: \operatorname{CRPS}(w) = w A_c + (1 - w) A_t - \tfrac12 \bigl[w^2 B_{cc}
             + (1 - w)^2 B_{tt} + 2 w (1 - w) B_{ct}\bigr],

   with ``A_m = E|X_m - y|`` and ``B_{mn} = E|X_m - X_n|`` over the draws (exact for the
   empirical distributions; ``mixture_terms``). Its mean over the forecasts is convex
   (``B_ct >= (B_cc + B_tt)/2``: the energy distance is non-negative) and minimised in
   closed form, clipped to [0, 1].

Everything is in-sample: the chosen values are those that scored best on the same
history the backtest reports afterwards, with ~30 overlapping origins. The LMArena backtest,
which uses the ECI-calibrated values unchanged, is the out-of-sample check.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gapcast.errors import InsufficientDataError
from gapcast.evaluate.backtest import (
    BacktestResult,
    Origin,
    OriginDraws,
    run_backtest,
    simulate_origin,
)
from gapcast.evaluate.half_life import TAU_GRID, HalfLifePosterior, half_life_posterior, log_density
from gapcast.evaluate.scoring import SamplePredictive
from gapcast.model.engine import Array
from gapcast.model.params import LogNormal
from gapcast.scenario.files import UNCALIBRATED, Scenario, with_values

RHO_GRID = tuple(round(0.05 * i, 2) for i in range(20))
"""Common-progress values tried (0 to 0.95)."""

PRIORS: dict[str, Any] = UNCALIBRATED
"""The values before calibration (what ``gapcast calibrate`` starts from)."""


def energy(a: Array) -> float:
    """Return ``E|X - X'|`` over all ordered pairs of the sorted draws ``a`` (ties included).

    ``(2 / n^2) sum_i (2 i - n - 1) a_(i)`` with ``i = 1 .. n``.
    """
    n = a.size
    i = np.arange(1, n + 1, dtype=np.float64)
    return float(2.0 * np.dot(2.0 * i - n - 1.0, a) / (n * n))


def cross(a: Array, b: Array) -> float:
    """Return ``E|X - Y|`` for ``X`` uniform on the draws ``a`` and ``Y`` on sorted ``b``."""
    cb = np.concatenate([[0.0], np.cumsum(b)])
    k = np.searchsorted(b, a, side="left")
    below = a * k - cb[k]
    above = (cb[-1] - cb[k]) - a * (b.size - k)
    return float((below + above).sum() / (a.size * b.size))


@dataclass(frozen=True)
class MixtureTerms:
    """``A_c, A_t, B_cc, B_tt, B_ct`` of one forecast (see the module docstring)."""

    a_c: float
    a_t: float
    b_cc: float
    b_tt: float
    b_ct: float

    def crps(self, w: float) -> float:
        """Return the CRPS of the mixture ``w`` compute + ``(1 - w)`` trend."""
        v = 1.0 - w
        return (
            w * self.a_c
            + v * self.a_t
            - 0.5 * (w * w * self.b_cc + v * v * self.b_tt + 2 * w * v * self.b_ct)
        )


def mixture_terms(compute: Array, trend: Array, y: float) -> MixtureTerms:
    """Return the mixture CRPS terms of the sorted draws of both models for outcome ``y``."""
    return MixtureTerms(
        float(np.abs(compute - y).mean()),
        float(np.abs(trend - y).mean()),
        energy(compute),
        energy(trend),
        cross(compute, trend),
    )


def best_weight(terms: Sequence[MixtureTerms]) -> float:
    """Return the ``w`` in [0, 1] that minimises the mean mixture CRPS (closed form)."""
    if not terms:
        raise ValueError("no forecasts to calibrate the weight on")
    a_c = float(np.mean([t.a_c for t in terms]))
    a_t = float(np.mean([t.a_t for t in terms]))
    b_cc = float(np.mean([t.b_cc for t in terms]))
    b_tt = float(np.mean([t.b_tt for t in terms]))
    b_ct = float(np.mean([t.b_ct for t in terms]))
    q2 = b_ct - 0.5 * (b_cc + b_tt)
    q1 = (a_c - a_t) - (b_ct - b_tt)
    if q2 <= 1e-15:
        return 1.0 if q1 < 0 else 0.0
    return min(max(-q1 / (2 * q2), 0.0), 1.0)


@dataclass(frozen=True)
class GridChoice:
    """A grid search: mean CRPS per value, the best value, and those within one SE of it."""

    values: tuple[float, ...]
    crps: tuple[float, ...]
    se: tuple[float, ...]
    """Standard error of each value's mean paired difference from the best."""
    best: float
    within: tuple[float, ...]
    n: int

    def to_dict(self) -> dict[str, Any]:
        """Return the grid as plain numbers."""
        return {
            "values": list(self.values),
            "mean_crps": list(self.crps),
            "se_of_difference_from_best": list(self.se),
            "best": self.best,
            "within_one_se": list(self.within),
            "forecasts": self.n,
        }


def choose(values: Sequence[float], crps: Array, n_eff: float | None = None) -> GridChoice:
    """Pick the value with the lowest mean CRPS; ``crps`` is forecasts × values.

    A value is "within one SE" when its mean paired difference from the best is at most
    the standard error of that difference, ``sd / sqrt(n_eff)``. The forecasts overlap
    (neighbouring origins share targets), so ``n_eff`` should count roughly independent
    checks; default: the number of forecasts.
    """
    mean = crps.mean(axis=0)
    j = int(np.argmin(mean))
    diff = crps - crps[:, [j]]
    n = crps.shape[0]
    eff = max(1.0, float(n_eff if n_eff is not None else n))
    se = diff.std(axis=0, ddof=1) / math.sqrt(eff) if n > 1 else np.zeros(len(values))
    within = tuple(
        float(v) for v, d, s in zip(values, diff.mean(axis=0), se, strict=True) if d <= s
    )
    return GridChoice(
        tuple(float(v) for v in values),
        tuple(float(x) for x in mean),
        tuple(float(x) for x in se),
        float(values[j]),
        within,
        n,
    )


def effective_checks(origins: Sequence[Origin], horizons: Sequence[int]) -> float:
    """Return about how many independent checks the forecasts are: ``sum_h n_h / h``.

    Monthly origins whose ``h``-month targets overlap share most of their outcome; ``n_h``
    forecasts at horizon ``h`` count as ``n_h / h`` independent ones (at least 1 in all).
    """
    total = sum(sum(1 for o in origins if h in o.targets) / h for h in horizons)
    return max(1.0, float(total))


def half_life_prior(post: HalfLifePosterior, crps: GridChoice) -> tuple[dict[str, Any], str]:
    """Return the calibrated half-life prior (a scenario mapping) and a sentence about it."""
    lo = post.median * math.exp(-1.6448536269514722 * post.sigma)
    hi = post.median * math.exp(1.6448536269514722 * post.sigma)
    top = post.posterior[-1] > 0.25
    text = (
        f"backtest of the compute model's gap ({post.n} forecasts, tempered to "
        f"{post.temper * post.n:.1f} independent checks): the uncalibrated prior (lognormal, "
        f"90% 12-120 months) updated on a grid of {', '.join(f'{v:g}' for v in post.grid)} "
        f"months gives median {post.median:.0f}, 90% {lo:.0f}-{hi:.0f}; mean CRPS is lowest "
        f"at {crps.best:g} months"
        + ("; much of the posterior sits at the grid's longest value" if top else "")
    )
    mapping = {"dist": "lognormal", "median": post.median, "sigma": post.sigma, "source": text}
    return mapping, text


@dataclass(frozen=True)
class Calibration:
    """Calibrated scenario values with their provenance (``scenarios/calibration.json``)."""

    values: dict[str, Any]
    """Scenario path to value, substituted where a scenario says ``calibrated``."""
    provenance: dict[str, Any]
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def note(self) -> str:
        """Return the one-line provenance recorded in calibrated scenarios."""
        p = self.provenance
        return (
            f"scenarios/calibration.json: {p.get('method_short', 'backtest calibration')} on "
            f"{p.get('metric', 'eci')} data {p.get('data_hash', '?')} ({p.get('created', '?')})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the file's JSON document."""
        return {
            "values": self.values,
            "provenance": self.provenance,
            "diagnostics": self.diagnostics,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        """Read the file's JSON document."""
        return cls(
            dict(data.get("values", {})),
            dict(data.get("provenance", {})),
            dict(data.get("diagnostics", {})),
        )


METHOD = (
    "ECI backtest (origins monthly from the start month, as of each month end; horizons as "
    "listed), on the origins where both models forecast: trend.common_progress = the "
    "RHO_GRID value with the lowest mean CRPS of the gap; capability."
    "efficiency_half_life_months = the uncalibrated lognormal prior updated on TAU_GRID by "
    "the kernel-density likelihood of the observed gaps, tempered to sum_h n_h / h "
    "independent checks, refitted as a lognormal; ensemble.compute_weight = the closed-form "
    "minimiser of the mixture's mean CRPS given the first two. See gapcast.evaluate.calibration."
)


def _trend_grid(origins: Sequence[Origin], sims: Sequence[OriginDraws]) -> Array:
    """Return the trend model's CRPS, forecasts × ``RHO_GRID`` (one simulation per origin)."""
    out = []
    for origin, sim in zip(origins, sims, strict=True):
        if sim.trend is None:
            continue
        by_rho = [sim.gaps(origin, "trend", rho) or {} for rho in RHO_GRID]
        for h in sim.horizons:
            if h in origin.targets:
                y = float(origin.targets[h])
                out.append([SamplePredictive.of(g[h]).crps(y) for g in by_rho])
    return np.array(out, dtype=np.float64).reshape(len(out), len(RHO_GRID))


def _half_life_grid(
    origins: Sequence[Origin],
    variants: Sequence[Mapping[str, OriginDraws]],
    horizons: Sequence[int],
) -> tuple[Array, Array]:
    """Return the compute model's CRPS and log density, each forecasts × ``TAU_GRID``."""
    crps, dens = [], []
    for origin, var in zip(origins, variants, strict=True):
        if not var:
            continue
        by_tau = [var[f"{tau:g}"].gaps(origin, "compute") or {} for tau in TAU_GRID]
        for h in horizons:
            if h in origin.targets:
                y = float(origin.targets[h])
                preds = [SamplePredictive.of(g[h]) for g in by_tau]
                crps.append([p.crps(y) for p in preds])
                dens.append([log_density(p.samples, y) for p in preds])
    shape = (len(crps), len(TAU_GRID))
    return np.array(crps, dtype=np.float64).reshape(shape), np.array(dens).reshape(shape)


def calibrate(
    origins: Sequence[Origin],
    prior: Scenario,
    *,
    horizons: Sequence[int],
    draws: int,
    seed: int,
    threshold: float,
    provenance: Mapping[str, Any],
) -> tuple[Calibration, BacktestResult, BacktestResult]:
    """Calibrate on the backtest origins; return the calibration and the backtests before/after.

    Parameters
    ----------
    origins
        The backtest's origins (ECI), as the pipeline builds them.
    prior
        The scenario with the uncalibrated values (``PRIORS``); its horizon must cover
        ``horizons``.
    horizons, draws, seed, threshold
        As for ``run_backtest``.
    provenance
        Data hash, date and anything else to record with the values.
    """
    tau_variants = {
        f"{tau:g}": with_values(
            prior,
            {
                "capability.efficiency_half_life_months": {
                    "dist": "fixed",
                    "value": tau,
                    "source": "calibration grid",
                }
            },
        )
        for tau in TAU_GRID
    }
    sims: list[OriginDraws] = []
    variants: list[dict[str, OriginDraws]] = []
    for origin in origins:
        sim, var = simulate_origin(
            origin, prior, horizons, draws, seed, compute_scenarios=tau_variants
        )
        sims.append(sim)
        variants.append(var)
    # calibrate on the origins where both models forecast (the backtest's common origins)
    keep = [i for i, s in enumerate(sims) if s.trend is not None and s.compute is not None]
    if not keep:
        raise InsufficientDataError("no backtest origin where both models forecast")
    origins = [origins[i] for i in keep]
    sims = [sims[i] for i in keep]
    variants = [variants[i] for i in keep]
    n_eff = effective_checks(origins, horizons)
    rho = choose(RHO_GRID, _trend_grid(origins, sims), n_eff)
    tau_crps, tau_loglik = _half_life_grid(origins, variants, horizons)
    tau = choose(TAU_GRID, tau_crps, n_eff)
    prior_tau = LogNormal.model_validate(PRIORS["capability.efficiency_half_life_months"])
    post = half_life_posterior(tau_loglik, n_eff, prior_tau.median, prior_tau.sigma)
    tau_prior, tau_text = half_life_prior(post, tau)
    partial = with_values(
        prior,
        {
            "trend.common_progress": rho.best,
            "capability.efficiency_half_life_months": tau_prior,
        },
    )
    terms = []
    for origin in origins:
        sim, _ = simulate_origin(origin, partial, horizons, draws, seed)
        trend = sim.gaps(origin, "trend", rho.best)
        compute = sim.gaps(origin, "compute")
        if trend is None or compute is None:
            continue
        for h in horizons:
            if h in origin.targets:
                terms.append(
                    mixture_terms(np.sort(compute[h]), np.sort(trend[h]), float(origin.targets[h]))
                )
    w = best_weight(terms)
    grid_w = [round(0.05 * i, 2) for i in range(21)]
    values: dict[str, Any] = {
        "trend.common_progress": rho.best,
        "ensemble.compute_weight": round(w, 3),
        "capability.efficiency_half_life_months": tau_prior,
    }
    after = with_values(prior, values)
    settings = {"draws": draws, "seed": seed, "horizons": list(horizons)}
    kwargs: dict[str, Any] = {
        "metric": "eci",
        "horizons": horizons,
        "draws": draws,
        "seed": seed,
        "threshold": threshold,
    }
    before_bt = run_backtest(origins, prior, settings={**settings, "values": PRIORS}, **kwargs)
    after_bt = run_backtest(origins, after, settings={**settings, "values": values}, **kwargs)
    diagnostics = {
        "common_progress": rho.to_dict(),
        "half_life": {**tau.to_dict(), "posterior": post.to_dict(), "note": tau_text},
        "compute_weight": {
            "forecasts": len(terms),
            "weights": grid_w,
            "mean_crps": [float(np.mean([t.crps(x) for t in terms])) for x in grid_w],
            "best": w,
        },
        "before": [r.to_dict() for r in before_bt.scores],
        "after": [r.to_dict() for r in after_bt.scores],
    }
    prov = {
        **provenance,
        "method": METHOD,
        "method_short": "backtest calibration (mean CRPS)",
        "origins": [o.date.isoformat() for o in origins],
        "horizons": list(horizons),
        "draws": draws,
        "seed": seed,
        "created": provenance.get("created") or dt.date.today().isoformat(),
    }
    return Calibration(values, prov, diagnostics), before_bt, after_bt


def interval_verdict(coverage: float, nominal: float, n: int, horizon: int) -> str:
    """Say whether an interval's coverage is consistent with its nominal level.

    Overlapping targets make forecasts ``horizon`` months apart roughly independent, so the
    effective number of checks is ``max(1, n / horizon)``; coverage more than two binomial
    standard errors ``sqrt(p (1 - p) / n_eff)`` from ``p`` is called too narrow or too wide.
    """
    n_eff = max(1.0, n / max(horizon, 1))
    tol = 2.0 * math.sqrt(nominal * (1 - nominal) / n_eff)
    if coverage < nominal - tol:
        return "too narrow"
    if coverage > nominal + tol:
        return "too wide"
    return "consistent"


__all__ = [
    "METHOD",
    "PRIORS",
    "RHO_GRID",
    "Calibration",
    "GridChoice",
    "MixtureTerms",
    "best_weight",
    "calibrate",
    "choose",
    "cross",
    "effective_checks",
    "energy",
    "half_life_prior",
    "interval_verdict",
    "mixture_terms",
]
