r"""The statistical baseline: frontier steps as compound Poisson processes, with common progress.

A frontier moves in steps (a release that beats the group's best). Each group ``b`` has its
own step process

.. math:: X_b(t) = F_b(0) + \sum_{k=1}^{N_b(t)} J_{b,k}, \qquad
          N_b(t) \sim \text{Poisson}(\lambda_b t),

with ``lambda_b`` drawn per draw from its posterior ``Gamma(n_b + 1/2, E_b)`` (``n_b`` steps
seen in the ``E_b``-month window; Jeffreys' prior) and the jump sizes ``J`` drawn from a
bootstrap resample of the ``n_b`` observed step sizes: each draw first resamples the observed
steps with replacement (uncertainty about the size distribution), then each of its jumps
picks one of its resampled steps. So

.. math:: E[X_b(t)] = F_b(0) + \lambda_b \bar J_b t, \quad
          \operatorname{Var}[X_b(t) \mid \lambda_b, J] = \lambda_b\, \overline{J^2}_b\, t.

The leader's frontier is its own process, ``F_0 = X_0``. The challenger's follows the
leader's progress in part (common progress: diffusion of methods, distillation, the same
hardware generations) and its own steps in part:

.. math:: F_1(t) = F_1(0) + \rho\,[X_0(t) - X_0(0)] + (1 - \rho)\,[X_1(t) - X_1(0)],
          \qquad 0 \le \rho < 1,

a convex combination of two non-decreasing paths, hence non-decreasing. The gap is then
``G(t) = G(0) + (1 - rho) [(X_0(t) - X_0(0)) - (X_1(t) - X_1(0))]``: ``rho`` shrinks both
the drift and the spread of the gap by ``1 - rho`` and leaves the leader's path unchanged.
``rho = 0`` is two independent groups (the model before calibration); ``rho`` is set by the
backtest (``trend.common_progress``, ``gapcast calibrate``; docs/model.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numba as nb
import numpy as np
from numpy.typing import NDArray

from gapcast.errors import InsufficientDataError
from gapcast.model._jit import jit
from gapcast.model._outcomes import BATCH, lag_months_mask, lags, tally_batch
from gapcast.model._random import draw_uniform, poisson_quantile, stream_key
from gapcast.model.engine import Array, Draws, Tallies, part_bounds
from gapcast.model.inputs import ForecastInputs, StepHistory
from gapcast.model.params import Gamma, ParamSpace
from gapcast.scenario.files import ROLES, Fitted, Scenario

_COUNT_STREAM = np.uint64(201)
_PICK_STREAM = np.uint64(202)
_BOOT_STREAM = np.uint64(203)
MAX_JUMPS = 16
"""Most steps one group can take in one month (Poisson tail beyond is negligible)."""


def step_history(
    dates: Sequence[dt.date], values: Sequence[float], as_of: dt.date, window_months: int
) -> StepHistory:
    """Return the frontier steps of one group in the window ending at ``as_of``.

    Parameters
    ----------
    dates, values
        Release date and score of each of the group's models (any order).
    as_of
        End of the window; later models are ignored.
    window_months
        Length of the window. A step is a release that raises the group's best score; its
        size is the rise. The first model ever sets the level and is not a step. The
        exposure is the window, or the time since the group's first model if shorter.
    """
    order = sorted(
        (d, float(v)) for d, v in zip(dates, values, strict=True) if d <= as_of and np.isfinite(v)
    )
    if not order:
        return StepHistory(np.zeros(0), 0.0)
    start = _months_before(as_of, window_months)
    best = order[0][1]
    sizes: list[float] = []
    when: list[dt.date] = []
    for d, v in order[1:]:
        if v > best:
            if d > start:
                sizes.append(v - best)
                when.append(d)
            best = v
    exposure = min(float(window_months), (as_of - order[0][0]).days / (365.25 / 12))
    return StepHistory(np.array(sizes), max(exposure, 0.0), tuple(when))


def _months_before(day: dt.date, months: int) -> dt.date:
    k = day.year * 12 + day.month - 1 - months
    y, m = divmod(k, 12)
    last = [
        31,
        29 if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][m]
    return dt.date(y, m + 1, min(day.day, last))


def fitted_release_rate(inputs: ForecastInputs, role: str) -> Gamma:
    """Return the posterior of a group's frontier-step rate per month.

    With ``n`` steps in ``E`` months and Jeffreys' prior, ``lambda ~ Gamma(n + 1/2, E)``.
    """
    steps = (inputs.leader if role == "leader" else inputs.challenger).steps
    return Gamma(
        steps.n + 0.5,
        max(steps.exposure_months, 1e-9),
        f"fitted: {steps.n} frontier steps in {steps.exposure_months:g} months",
    )


def trend_space(scenario: Scenario, inputs: ForecastInputs) -> ParamSpace:
    """Return the trend model's parameters: each group's step rate."""
    space: ParamSpace = {}
    for role in ROLES:
        dist = scenario.group(role).releases.rate
        space[f"groups.{role}.releases.rate"] = (
            fitted_release_rate(inputs, role) if isinstance(dist, Fitted) else dist
        )
    return space


class TrendModel:
    """Compound Poisson frontier steps per group with common progress (module docstring)."""

    name = "trend"

    def __init__(self, scenario: Scenario, inputs: ForecastInputs) -> None:
        for group in inputs.groups:
            if group.steps.n == 0:
                raise InsufficientDataError(
                    f"{group.label} has no frontier step in the {scenario.trend.window_months} "
                    f"months before {inputs.as_of}; the trend model cannot extrapolate it",
                    hint="widen trend.window_months (--set trend.window_months=36)",
                )
        self.scenario = scenario
        self.inputs = inputs
        self.horizon = scenario.horizon_months
        self.groups = (inputs.leader.label, inputs.challenger.label)
        self.base = inputs.leader.frontier
        self.space: ParamSpace = trend_space(scenario, inputs)
        n_max = max(g.steps.n for g in inputs.groups)
        self._sizes = np.zeros((2, n_max))
        self._n = np.array([g.steps.n for g in inputs.groups], dtype=np.int64)
        for b, group in enumerate(inputs.groups):
            self._sizes[b, : group.steps.n] = group.steps.sizes
        self._f0 = np.array([g.frontier for g in inputs.groups])
        self._hist = [np.ascontiguousarray(g.history, dtype=np.float64) for g in inputs.groups]
        self.common_progress = float(scenario.trend.common_progress)

    def _rates(self, params: Draws) -> Array:
        return np.stack([params[f"groups.{r}.releases.rate"] for r in ROLES], axis=1)

    def simulate(
        self,
        keys: NDArray[np.uint64],
        params: Draws,
        tallies: Tallies,
        first_out: NDArray[np.int16],
        *,
        parallel: bool,
    ) -> None:
        """Simulate the draws with ``keys`` and add them to ``tallies``."""
        rates = self._rates(params)
        bounds = part_bounds(keys.shape[0], tallies.ahead.shape[0])
        kernel = _tally_parallel if parallel else _tally_serial
        kernel(
            keys,
            rates,
            self._sizes,
            self._n,
            self._f0,
            self.common_progress,
            self.horizon,
            self._hist[0],
            self._hist[1],
            self.base,
            bounds,
            tallies.ahead,
            tallies.first,
            tallies.gap,
            tallies.level,
            tallies.lag,
            first_out,
        )

    def paths(self, keys: NDArray[np.uint64], params: Draws) -> Array:
        """Return the frontier paths, draws × months × groups."""
        out = np.empty((keys.shape[0], self.horizon + 1, 2))
        _paths(keys, self._rates(params), self._sizes, self._n, self._f0, self.common_progress, out)
        return out


def with_common_progress(paths: Array, rho: float) -> Array:
    """Return trend paths simulated with ``rho = 0`` as they are with common progress ``rho``.

    ``F_1(t) = F_1(0) + rho (F_0(t) - F_0(0)) + (1 - rho) (X_1(t) - X_1(0))`` on draws ×
    months × groups; the same draws as ``TrendModel.paths`` with ``trend.common_progress =
    rho`` (up to rounding), so one simulation serves every ``rho`` (the calibration's grid).
    """
    out = paths.copy()
    if rho != 0.0:
        lead = paths[:, :, 0] - paths[:, :1, 0]
        own = paths[:, :, 1] - paths[:, :1, 1]
        out[:, :, 1] = paths[:, :1, 1] + rho * lead + (1.0 - rho) * own
    return out


@jit(nogil=True)
def _draw(
    key: np.uint64,
    rates: Array,
    sizes: Array,
    n: NDArray[np.int64],
    f0: Array,
    rho: float,
    F: Array,
) -> None:
    k_count = stream_key(key, _COUNT_STREAM)
    k_pick = stream_key(key, _PICK_STREAM)
    k_boot = stream_key(key, _BOOT_STREAM)
    for b in range(2):
        level = f0[b]
        F[0, b] = level
        lam = rates[b]
        nb_ = n[b]
        for t in range(1, F.shape[0]):
            u = draw_uniform(k_count, np.uint64(t), np.uint64(b))
            k = min(poisson_quantile(u, lam), MAX_JUMPS)
            for j in range(k):
                r = int(draw_uniform(k_pick, np.uint64(t * MAX_JUMPS + j), np.uint64(b)) * nb_)
                idx = int(draw_uniform(k_boot, np.uint64(r), np.uint64(b)) * nb_)
                level += sizes[b, idx]
            if b == 1 and rho != 0.0:
                # common progress: the leader's rise (group 0 is done) and the own steps
                F[t, b] = f0[1] + rho * (F[t, 0] - f0[0]) + (1.0 - rho) * (level - f0[1])
            else:
                F[t, b] = level


@jit(nogil=True)
def _tally_range(
    lo: int,
    hi: int,
    part: int,
    keys: NDArray[np.uint64],
    rates: Array,
    sizes: Array,
    n: NDArray[np.int64],
    f0: Array,
    rho: float,
    months: int,
    hist0: Array,
    hist1: Array,
    base: float,
    ahead: NDArray[np.int64],
    first: NDArray[np.int64],
    gap: NDArray[np.int32],
    level: NDArray[np.int32],
    lag: NDArray[np.int32],
    first_out: NDArray[np.int16],
) -> None:
    Ft = np.empty((months, 2, BATCH))  # the tallies' layout: months x groups x draws
    Lb = np.zeros((months, BATCH))
    at = lag_months_mask(months)
    for start in range(lo, hi, BATCH):
        m = min(BATCH, hi - start)
        for k in range(m):
            _draw(keys[start + k], rates[start + k], sizes, n, f0, rho, Ft[:, :, k])
        lags(Ft, m, hist0, hist1, at, Lb)
        tally_batch(Ft, Lb, at, m, base, part, ahead, first, gap, level, lag, first_out, start)


@jit(parallel=True, nogil=True)
def _tally_parallel(
    keys: NDArray[np.uint64],
    rates: Array,
    sizes: Array,
    n: NDArray[np.int64],
    f0: Array,
    rho: float,
    horizon: int,
    hist0: Array,
    hist1: Array,
    base: float,
    bounds: NDArray[np.int64],
    ahead: NDArray[np.int64],
    first: NDArray[np.int64],
    gap: NDArray[np.int32],
    level: NDArray[np.int32],
    lag: NDArray[np.int32],
    first_out: NDArray[np.int16],
) -> None:
    for part in nb.prange(bounds.shape[0] - 1):
        _tally_range(
            bounds[part],
            bounds[part + 1],
            part,
            keys,
            rates,
            sizes,
            n,
            f0,
            rho,
            horizon + 1,
            hist0,
            hist1,
            base,
            ahead,
            first,
            gap,
            level,
            lag,
            first_out,
        )


@jit(nogil=True)
def _tally_serial(
    keys: NDArray[np.uint64],
    rates: Array,
    sizes: Array,
    n: NDArray[np.int64],
    f0: Array,
    rho: float,
    horizon: int,
    hist0: Array,
    hist1: Array,
    base: float,
    bounds: NDArray[np.int64],
    ahead: NDArray[np.int64],
    first: NDArray[np.int64],
    gap: NDArray[np.int32],
    level: NDArray[np.int32],
    lag: NDArray[np.int32],
    first_out: NDArray[np.int16],
) -> None:
    for part in range(bounds.shape[0] - 1):
        _tally_range(
            bounds[part],
            bounds[part + 1],
            part,
            keys,
            rates,
            sizes,
            n,
            f0,
            rho,
            horizon + 1,
            hist0,
            hist1,
            base,
            ahead,
            first,
            gap,
            level,
            lag,
            first_out,
        )


@jit(parallel=True, nogil=True)
def _paths(
    keys: NDArray[np.uint64],
    rates: Array,
    sizes: Array,
    n: NDArray[np.int64],
    f0: Array,
    rho: float,
    out: Array,
) -> None:
    for d in nb.prange(keys.shape[0]):
        _draw(keys[d], rates[d], sizes, n, f0, rho, out[d])


__all__ = [
    "TrendModel",
    "fitted_release_rate",
    "step_history",
    "trend_space",
    "with_common_progress",
]
