r"""Scores of out-of-sample forecasts, with the effective number of independent checks.

One forecast (predictive draws ``x``) against the outcome ``y``:

- **CRPS** ``E|X - y| - E|X - X'|/2`` (``scoringrules.crps_ensemble``; lower is better);
- **log score** ``-log f(y)`` with ``f`` a Gaussian kernel density of the draws
  (``scoringrules.logs_ensemble``), bandwidth Silverman's rule but at least
  ``LOG_BANDWIDTH`` units (a quarter point or month), since draws often repeat one value,
  and at most ``LOG_CAP``;
- **Brier** scores ``(p - o)^2`` of the events "the gap narrows" (``y < y_0``) and, for the
  gap, "the challenger is within the threshold" (``y <= threshold``);
- **coverage** of the central 50/80/95% intervals, and the randomised **PIT**
  ``F(y^-) + u (F(y) - F(y^-))`` (uniform for a calibrated forecast even where draws tie).

Effective n
-----------
Forecasts from monthly origins at horizon ``h`` share ``h - 1`` months of their outcome
window, so their hits (or PIT values) are dependent; for a calibrated forecaster the
dependence stops at lag ``h - 1``. With ``rho_k`` the sample autocorrelation, in origin
order, of the PIT values' normal scores ``Phi^{-1}(PIT)`` (continuous, so more informative
than the hits of one interval; negative values set to 0, a constant series counting as fully
dependent),

.. math:: n_\text{eff} = n \Big/ \Big(1 + 2 \sum_{k=1}^{h-1} \rho_k\Big),

between ``n / (2h - 1)`` (at least 1) and ``n``. One ``n_eff`` serves a row (a model,
metric, target and horizon): coverage intervals are Wilson intervals on it, and the PIT
uniformity test is the Kolmogorov–Smirnov test with ``n_eff`` in place of ``n``.

Skill
-----
``1 - mean CRPS(model) / mean CRPS(reference)`` over the same origins, with a 90% interval
from a circular moving-block bootstrap (``arch``'s ``CircularBlockBootstrap``, so every
origin is resampled equally often) of the paired losses, block length ``h`` (at
least 2), ``BOOTSTRAP_REPS`` resamples, seeded. With fewer than two blocks of origins
(the 12-month rows) the interval is the Diebold–Mariano one instead: the loss difference's
mean ± 1.645 Newey–West standard errors (statsmodels, Bartlett kernel, ``h - 1`` lags),
divided by the reference's mean CRPS (capped at 1, the largest skill possible); with so
few origins either interval is rough.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

from gapcast.evaluate.history import Array

LEVELS = (0.5, 0.8, 0.95)
LOG_BANDWIDTH = 0.25
LOG_CAP = 25.0
"""Largest log score counted (a density below ``e^-25`` at the outcome), so one outcome far
outside the draws cannot make a mean infinite."""
BOOTSTRAP_REPS = 999
PIT_BINS = 10


@dataclass(frozen=True)
class Scored:
    """One forecast scored against its outcome."""

    crps: float
    log: float
    pit: float
    covered: tuple[bool, ...]
    p_narrows: float
    narrows: bool
    p_within: float | None
    within: bool | None
    median: float
    interval80: tuple[float, float]


def _quantile(x: Array, q: float) -> float:
    i = min(max(int(math.ceil(q * x.size)) - 1, 0), x.size - 1)
    return float(x[i])


def _bandwidth(x: Array) -> float:
    sd = float(x.std())
    iqr = float(x[int(0.75 * (x.size - 1))] - x[int(0.25 * (x.size - 1))]) / 1.34
    spread = min(sd, iqr) if iqr > 0 else sd
    return float(max(1.06 * spread * float(x.size) ** (-0.2), LOG_BANDWIDTH))


def _log_score(y: float, x: Array) -> float:
    import scoringrules as sr

    with np.errstate(divide="ignore"):
        value = float(sr.logs_ensemble(y, x, bw=_bandwidth(x)))
    return min(value, LOG_CAP)


def score_draws(x: Array, y: float, start: float, threshold: float | None, u: float) -> Scored:
    """Score sorted predictive draws ``x`` against ``y`` (module docstring).

    ``start`` is the target's value at the origin; ``threshold`` the gap within which the
    challenger counts as close (``None``: no such event, e.g. for the lag); ``u`` a uniform
    number for the randomised PIT.
    """
    import scoringrules as sr

    lo = int(np.searchsorted(x, y, side="left"))
    hi = int(np.searchsorted(x, y, side="right"))
    covered = tuple(
        bool(_quantile(x, (1 - lv) / 2) <= y <= _quantile(x, (1 + lv) / 2)) for lv in LEVELS
    )
    n = x.size
    return Scored(
        crps=float(sr.crps_ensemble(y, x, sorted_ensemble=True)),
        log=_log_score(y, x),
        pit=(lo + u * (hi - lo)) / n,
        covered=covered,
        p_narrows=float(np.searchsorted(x, start, side="left")) / n,
        narrows=bool(y < start),
        p_within=None if threshold is None else float(np.searchsorted(x, threshold, "right")) / n,
        within=None if threshold is None else bool(y <= threshold),
        median=_quantile(x, 0.5),
        interval80=(_quantile(x, 0.1), _quantile(x, 0.9)),
    )


def n_effective(series: Sequence[float] | Array, horizon: int) -> float:
    """Return the effective number of independent values of an ordered series (module doc)."""
    v = np.asarray(series, dtype=np.float64)
    n = v.size
    if n < 2 or horizon <= 1:
        return float(n)
    c = v - v.mean()
    denom = float((c * c).sum())
    total = 0.0
    for k in range(1, min(horizon, n)):
        rho = 1.0 if denom == 0 else float((c[k:] * c[:-k]).sum()) / denom
        total += max(rho, 0.0)
    return max(n / (1.0 + 2.0 * total), 1.0)


def wilson(p: float, n: float, level: float = 0.9) -> tuple[float, float]:
    """Return the Wilson score interval of a proportion ``p`` on ``n`` (fractional) checks."""
    if n <= 0:
        return 0.0, 1.0
    z = float(special.ndtri(0.5 + level / 2))
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(mid - half, 0.0), min(mid + half, 1.0)


def pit_test(pit: Sequence[float], n_eff: float) -> float:
    """Return the p-value of the KS test of uniform PIT values with ``n_eff`` (module doc)."""
    v = np.sort(np.asarray(pit, dtype=np.float64))
    if v.size == 0:
        return float("nan")
    i = np.arange(1, v.size + 1)
    d = float(max((i / v.size - v).max(), (v - (i - 1) / v.size).max()))
    return float(stats.kstwo.sf(d, max(int(round(n_eff)), 1)))


def block_skill(
    model: Sequence[float], reference: Sequence[float], horizon: int, seed: int
) -> tuple[float, float, float]:
    """Return the CRPS skill and its 90% moving-block bootstrap interval (module docstring)."""
    from arch.bootstrap import CircularBlockBootstrap

    m = np.asarray(model, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    if r.mean() <= 0:
        return float("nan"), float("nan"), float("nan")
    skill = 1.0 - float(m.mean() / r.mean())
    block = max(horizon, 2)
    if m.size < 2 * block:
        return (skill, *hac_interval(r - m, float(r.mean()), horizon))
    bs = CircularBlockBootstrap(block, m, r, seed=np.random.default_rng(seed))
    draws = []
    for (mm, rr), _ in bs.bootstrap(BOOTSTRAP_REPS):
        den = float(np.mean(rr))
        if den > 0:
            draws.append(1.0 - float(np.mean(mm)) / den)
    lo, hi = np.quantile(draws, [0.05, 0.95]) if draws else (float("nan"), float("nan"))
    return skill, float(lo), float(hi)


def pit_n_effective(pit: Sequence[float], horizon: int) -> float:
    """Return the effective n of a row from its PIT values' normal scores (module docstring)."""
    p = np.clip(np.asarray(pit, dtype=np.float64), 1e-6, 1 - 1e-6)
    return n_effective(special.ndtri(p), horizon)


def hac_interval(diff: Array, scale: float, horizon: int) -> tuple[float, float]:
    """Return the 90% Diebold–Mariano interval of ``mean(diff) / scale`` (module docstring)."""
    import statsmodels.api as sm

    if diff.size < 3 or scale <= 0:
        return float("nan"), float("nan")
    lags = min(max(horizon - 1, 1), diff.size - 2)
    fit = sm.OLS(diff, np.ones(diff.size)).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    mean, se = float(fit.params[0]), float(fit.bse[0])
    z = float(special.ndtri(0.95))
    return (mean - z * se) / scale, min((mean + z * se) / scale, 1.0)  # skill <= 1


def coverage_summary(hits: Sequence[bool], n_eff: float) -> dict[str, Any]:
    """Return a coverage rate with its n, effective n and 90% Wilson interval on ``n_eff``."""
    h = np.asarray(hits, dtype=np.float64)
    if h.size == 0:
        return {"rate": None, "n": 0, "n_eff": 0.0, "ci90": [None, None]}
    rate = float(h.mean())
    ne = min(n_eff, float(h.size))
    lo, hi = wilson(rate, ne)
    return {"rate": rate, "n": int(h.size), "n_eff": ne, "ci90": [lo, hi]}


__all__ = [
    "LEVELS",
    "Scored",
    "block_skill",
    "coverage_summary",
    "hac_interval",
    "n_effective",
    "pit_n_effective",
    "pit_test",
    "score_draws",
    "wilson",
]
