"""Uncertainty of frontiers, gaps and lags: seeded, vectorised resampling.

One draw perturbs the points two ways, then every statistic (both frontiers, the gap, both
lags, their summaries) is computed from that same draw, so gap and lag intervals are
coherent.

1. **Bootstrap over models within each group** (``resample_models``). For a group of ``n``
   models, draw ``n`` models with replacement; a model drawn at least once keeps all its
   points, the others are removed (``-inf``). A frontier is a maximum, so multiplicity does
   not matter, only presence (each model is present with probability
   ``1 - (1 - 1/n)^n ~ 0.63``). The interval says how much the frontier rests on single
   models; because the draw can only remove the best model, frontier intervals reach down
   from the point estimate, not around it.
2. **Per-score noise** (``noise``): ``v* = v + sd * z`` with ``z ~ N(0, 1)``, independent per
   point, where ``sd`` is the reported standard error or ``(hi - lo) / 3.92``
   (``points.metric_rows``). For LMArena, ``sd`` comes from the published 95% interval of
   each rating in each snapshot; ratings published without an interval (LMArena history
   before 2025) get no noise. Independent noise ignores the correlation of ratings within a
   snapshot and slightly favours whichever side has more models near its top (the maximum of
   noisy values is biased upward).

Defaults: ECI, benchmarks and training compute resample models (with noise where a file
reports an error); LMArena uses its intervals only, since each snapshot is a census of the
leaderboard, not a sample.

Intervals are percentile intervals of the draws (``level`` 0.95: the 2.5% and 97.5%
quantiles), ignoring draws where the statistic is undefined.

Arrays are ``(draws, points)`` or ``(draws, dates)``: draws first. Random numbers are drawn
in a fixed order (leader models, challenger models, then point noise in frame order), so a
seed gives the same numbers to the last digit.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from gapcast.measure._engine import CHALLENGER, LEADER
from gapcast.measure.frontier import Points

F64 = npt.NDArray[np.float64]

DEFAULT_SEED = 20240101
"""Seed used when none is given, so default outputs are reproducible."""


def rng_from_seed(seed: int | None = None) -> np.random.Generator:
    """Return the generator for a seed (``DEFAULT_SEED`` when ``None``)."""
    return np.random.default_rng(DEFAULT_SEED if seed is None else seed)


def model_presence(points: Points, draws: int, rng: np.random.Generator) -> npt.NDArray[np.bool_]:
    """Return a ``(draws, points)`` mask: is the point's model in the draw's resample.

    Per side with ``n`` models, ``n`` indices are drawn uniformly with replacement
    (``rng.integers(0, n, (draws, n))``); a model is present when drawn at least once.
    """
    frame = points.frame
    present = np.ones((draws, len(frame)), dtype=bool)
    side = frame["side"].to_numpy()
    unit = frame["unit"].to_numpy(dtype=np.int64)
    for name in (LEADER, CHALLENGER):
        rows = np.flatnonzero(side == name)
        if rows.size == 0:
            continue
        units, position = np.unique(unit[rows], return_inverse=True)
        n = units.size
        picks = rng.integers(0, n, size=(draws, n))
        hit = np.zeros((draws, n), dtype=bool)
        hit[np.arange(draws)[:, None], picks] = True
        present[:, rows] = hit[:, position]
    return present


def draw_values(
    points: Points,
    draws: int,
    rng: np.random.Generator,
    *,
    resample_models: bool = True,
    noise: bool = True,
) -> F64:
    """Return ``(draws, points)`` perturbed point values (``-inf`` for a removed model).

    Parameters
    ----------
    points
        The frontier points.
    draws
        Number of draws ``D``.
    rng
        The random generator (``rng_from_seed``).
    resample_models
        Bootstrap over models within each group.
    noise
        Add ``sd * z`` per point where ``sd > 0``.
    """
    frame = points.frame
    values = np.repeat(frame["value"].to_numpy(dtype=np.float64)[None, :], draws, axis=0)
    if resample_models:
        values[~model_presence(points, draws, rng)] = -np.inf
    if noise:
        sd = frame["sd"].to_numpy(dtype=np.float64)
        noisy = np.flatnonzero(sd > 0)
        if noisy.size:
            values[:, noisy] += rng.standard_normal((draws, noisy.size)) * sd[noisy]
    return values


def percentile_interval(samples: F64, level: float = 0.95) -> tuple[F64, F64]:
    """Return the ``(lower, upper)`` percentile interval along the draw axis.

    The ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles with linear interpolation
    (numpy's default): with ``n`` defined samples sorted as ``x_(0) <= ... <= x_(n-1)``,
    ``Q(q) = x_(i) + (h - i)(x_(i+1) - x_(i))`` where ``h = q (n - 1)``, ``i = floor(h)``.
    ``NaN`` samples are ignored; where every sample is ``NaN`` the bounds are ``NaN``. One
    sort serves every column (``nanquantile`` loops over columns with ``NaN``).
    """
    samples = np.asarray(samples, dtype=np.float64)
    tail = (1.0 - level) / 2.0
    flat = samples.reshape(samples.shape[0], -1)
    ordered = np.sort(flat, axis=0)  # NaN sorts last
    n = (~np.isnan(flat)).sum(axis=0)
    bounds = []
    for q in (tail, 1.0 - tail):
        h = q * np.maximum(n - 1, 0)
        i = np.floor(h).astype(np.int64)
        j = np.minimum(i + 1, np.maximum(n - 1, 0))
        low = np.take_along_axis(ordered, i[None, :], axis=0)[0]
        high = np.take_along_axis(ordered, j[None, :], axis=0)[0]
        value = np.where(n > 0, low + (h - i) * (high - low), np.nan)
        bounds.append(value.reshape(samples.shape[1:]))
    return bounds[0], bounds[1]


def nanmean_rows(samples: F64) -> F64:
    """Return the mean of each draw over its defined values (``NaN`` if none)."""
    ok = np.isfinite(samples)
    count = ok.sum(axis=1)
    total = np.where(ok, samples, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)
