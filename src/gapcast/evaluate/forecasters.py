r"""Forecasters for the nested backtest: the trend model and the baselines, behind one protocol.

A ``Forecaster`` is given what was known at an origin (a ``Known``: both sides' month-end
frontiers as measured then) and returns a ``Forecast``: predictive draws of each target
(``gap`` in the metric's points, ``lag`` in months) at each horizon. Everything a forecaster
estimates comes from the ``Known`` it is given; a forecaster with tuned values (the trend
model's window and common progress) is first ``tune``d on what was known at the origin, so
the backtest is nested: nothing it uses was measured after the origin.

Forecasters
-----------
trend
    The statistical baseline model (``gapcast.model.trend``) on monthly frontier steps: each
    side's frontier rises by compound Poisson steps, rate ``lambda ~ Gamma(n + 1/2, E)``
    (``n`` months with a rise in the last ``window`` months of exposure ``E``), rises drawn
    from a per-draw bootstrap of the observed ones; the challenger follows the leader's
    rises with weight ``rho`` (common progress). ``window`` and ``rho`` are tuned at each
    origin (``Trend.tune``) by the mean CRPS of the gap on forecasts from the 12 months
    before the origin whose targets were known by then.
no_change
    ``y ~ N(y_0, sigma_h^2)`` with a robust spread of the recent ``h``-month changes
    ``Delta_h`` of the target (last ``WINDOW`` months): ``sigma_h = 1.4826 median|Delta_h|``
    (the MAD about zero, the no-change centre), or ``sqrt(pi/2) mean|Delta_h|`` where more
    than half the changes are 0, so one old catch-up cannot widen it as a root mean square
    would.
drift
    A random walk with drift: ``y ~ N(y_0 + h mu, h s^2 + h^2 s^2 / n)`` from the mean ``mu``
    and standard deviation ``s`` of the last ``WINDOW`` monthly changes (``n`` of them).
local_trend
    statsmodels' ``UnobservedComponents`` local linear trend fitted by maximum likelihood
    on the target's last ``UC_WINDOW`` months; its Gaussian forecast (mean and standard
    error, which includes the observation noise).

Normal forecasts are represented by ``DRAWS`` evenly spaced quantiles (``(i + 1/2) / n``),
so they carry no Monte Carlo noise. Lags cannot be negative: every lag draw is clipped at 0.

Plugging in another model (the structural model)
------------------------------------------------
Write a class with a ``name`` and ``forecast(known, horizons, rng)`` that simulates both
sides' frontiers from the origin (draws × months ``0..max(horizons)``, month 0 the origin's
frontiers) and returns ``from_paths(known, leader, challenger, horizons)``; add ``tune`` only
if it has values to choose (it must use nothing but its arguments).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
from scipy import special

from gapcast.evaluate.history import Array, Known

TARGETS = ("gap", "lag")
HORIZONS = (1, 3, 6, 12)
DRAWS = 2000
"""Draws (or quantiles) per forecast."""
WINDOW = 24
"""Months of history whose changes set the no-change and drift baselines."""
UC_WINDOW = 48
"""Months of history the local-linear-trend model is fitted on."""
MIN_CHANGES = 3
"""Changes needed to estimate a baseline's spread."""
TREND_WINDOWS = (12, 24, 36)
"""Trend windows (months) tried at each origin."""
TREND_RHOS = (0.0, 0.25, 0.5, 0.75, 0.9)
"""Common-progress values tried at each origin."""
TUNE_ORIGINS = 12
"""Inner origins (the months before the outer origin) the trend model is tuned on."""
TUNE_DRAWS = 500
"""Draws per inner forecast while tuning."""

Key = tuple[str, int]


@dataclass(frozen=True)
class Forecast:
    """Predictive draws per ``(target, horizon)``, sorted ascending; ``info``: what was fitted."""

    draws: Mapping[Key, Array]
    info: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Forecaster(Protocol):
    """Anything that forecasts the gap and the lag from what was known at an origin."""

    @property
    def name(self) -> str:
        """The forecaster's name in tables (``trend``, ``no_change``, ...)."""
        ...

    def forecast(self, known: Known, horizons: Sequence[int], rng: np.random.Generator) -> Forecast:
        """Return the predictive draws of each target at each horizon (missing: cannot)."""
        ...


PastView = Callable[[int], Known]
"""``past(m)``: the frontiers as known at the end of month ``m`` (``m`` up to the origin)."""


def _normal(mu: float, sigma: float, n: int = DRAWS) -> Array:
    z = special.ndtri((np.arange(n) + 0.5) / n)
    return np.asarray(mu + max(sigma, 0.0) * z, dtype=np.float64)


def _finish(target: str, x: Array) -> Array:
    return np.sort(np.maximum(x, 0.0) if target == "lag" else x)


def _series(known: Known, target: str) -> Array:
    return known.gap_history() if target == "gap" else known.lag_history()


def robust_spread(changes: Array) -> float:
    """Return the no-change spread of a set of ``h``-month changes (module docstring)."""
    a = np.abs(changes)
    mad = 1.4826 * float(np.median(a))
    return mad if mad > 0 else math.sqrt(math.pi / 2) * float(np.mean(a))


@dataclass(frozen=True)
class NoChange:
    """The target stays; robust spread of recent ``h``-month changes (module docstring)."""

    name: str = "no_change"
    window: int = WINDOW

    def forecast(self, known: Known, horizons: Sequence[int], rng: np.random.Generator) -> Forecast:
        """Return ``N(y_0, sigma_h^2)`` draws per target and horizon."""
        out: dict[Key, Array] = {}
        for target in TARGETS:
            y = _series(known, target)
            if y.size < MIN_CHANGES + 1:
                continue
            recent = y[-(self.window + 1) :]
            monthly = np.diff(recent)
            for h in horizons:
                changes = recent[h:] - recent[:-h] if recent.size > h else np.zeros(0)
                if changes.size >= MIN_CHANGES:
                    sigma = robust_spread(changes)
                else:
                    sigma = math.sqrt(h) * robust_spread(monthly)
                out[(target, h)] = _finish(target, _normal(float(y[-1]), sigma))
        return Forecast(out)


@dataclass(frozen=True)
class Drift:
    """A random walk with drift fitted on the recent monthly changes (module docstring)."""

    name: str = "drift"
    window: int = WINDOW

    def forecast(self, known: Known, horizons: Sequence[int], rng: np.random.Generator) -> Forecast:
        """Return ``N(y_0 + h mu, h s^2 + h^2 s^2 / n)`` draws per target and horizon."""
        out: dict[Key, Array] = {}
        for target in TARGETS:
            y = _series(known, target)
            d = np.diff(y[-(self.window + 1) :])
            if d.size < MIN_CHANGES:
                continue
            mu, s2, n = float(d.mean()), float(d.var(ddof=1)), d.size
            for h in horizons:
                sd = math.sqrt(h * s2 + h * h * s2 / n)
                out[(target, h)] = _finish(target, _normal(float(y[-1]) + h * mu, sd))
        return Forecast(out)


@dataclass(frozen=True)
class LocalTrend:
    """statsmodels' local linear trend model of the target (module docstring)."""

    name: str = "local_trend"
    window: int = UC_WINDOW
    min_points: int = 8

    def forecast(self, known: Known, horizons: Sequence[int], rng: np.random.Generator) -> Forecast:
        """Return the fitted model's Gaussian forecast draws per target and horizon."""
        from statsmodels.tsa.statespace.structural import UnobservedComponents

        out: dict[Key, Array] = {}
        for target in TARGETS:
            y = _series(known, target)[-self.window :]
            if y.size < self.min_points or float(np.ptp(y)) == 0.0:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    res = UnobservedComponents(y, level="local linear trend").fit(
                        disp=False, maxiter=200
                    )
                    fc = res.get_forecast(max(horizons))
                    mean = np.asarray(fc.predicted_mean, dtype=np.float64)
                    se = np.sqrt(np.asarray(fc.var_pred_mean, dtype=np.float64))
                except (np.linalg.LinAlgError, ValueError):
                    continue
            if not (np.isfinite(mean).all() and np.isfinite(se).all()):
                continue
            for h in horizons:
                out[(target, h)] = _finish(target, _normal(float(mean[h - 1]), float(se[h - 1])))
        return Forecast(out)


def from_paths(known: Known, leader: Array, challenger: Array, horizons: Sequence[int]) -> Forecast:
    """Return gap and lag draws from simulated frontiers (draws × months from the origin).

    Column 0 of ``leader`` and ``challenger`` is the origin month. The lag at ``h`` looks
    for the first month the leader's frontier (its known history, then the draw's path)
    reached the challenger's simulated level.
    """
    out: dict[Key, Array] = {}
    hist = known.leader[np.isfinite(known.leader)]
    run = np.maximum.accumulate(hist) if hist.size else np.zeros(1)
    n_hist = run.size
    for h in horizons:
        c = challenger[:, h]
        out[("gap", h)] = np.sort(leader[:, h] - c)
        idx = np.searchsorted(run, c, side="left")
        lag = (n_hist - 1 - idx + h).astype(np.float64)
        ahead = c > run[-1]
        if ahead.any():
            reached = leader[ahead, 1 : h + 1] >= c[ahead, None]
            first = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1, h)
            lag[ahead] = h - first
        out[("lag", h)] = _finish("lag", lag)
    return Forecast(out)


def _steps(front: Array, window: int) -> tuple[Array, float]:
    f = front[np.isfinite(front)]
    if f.size < 2:
        return np.zeros(0), float(max(f.size - 1, 0))
    rises = np.diff(f)[-window:]
    return rises[rises > 0], float(min(window, f.size - 1))


def trend_paths(
    known: Known, window: int, rho: float, months: int, draws: int, rng: np.random.Generator
) -> tuple[Array, Array]:
    """Simulate both frontiers ``months`` ahead with the trend model (module docstring).

    Returns ``(leader, challenger)``, each draws × ``months + 1`` (column 0 the origin).
    """
    moves = []
    for front in (known.leader, known.challenger):
        sizes, exposure = _steps(front, window)
        inc = np.zeros((draws, months))
        if sizes.size:
            lam = rng.gamma(sizes.size + 0.5, 1.0 / max(exposure, 1e-9), size=draws)
            counts = rng.poisson(lam[:, None], size=(draws, months))
            boot = sizes[rng.integers(0, sizes.size, size=(draws, sizes.size))]
            k = max(int(counts.max(initial=0)), 1)
            pick = rng.integers(0, sizes.size, size=(draws, months, k))
            jumps = np.take_along_axis(boot, pick.reshape(draws, -1), axis=1).reshape(pick.shape)
            inc = (jumps * (np.arange(k) < counts[..., None])).sum(axis=2)
        moves.append(np.concatenate([np.zeros((draws, 1)), np.cumsum(inc, axis=1)], axis=1))
    f0 = float(known.leader[-1])
    f1 = float(known.challenger[-1])
    lead = f0 + moves[0]
    chal = f1 + rho * moves[0] + (1.0 - rho) * moves[1]
    return lead, chal


@dataclass(frozen=True)
class Trend:
    """The trend model with its window and common progress (module docstring)."""

    window: int = 24
    rho: float = 0.0
    draws: int = DRAWS
    name: str = "trend"

    def forecast(self, known: Known, horizons: Sequence[int], rng: np.random.Generator) -> Forecast:
        """Return the trend model's gap and lag draws."""
        if not known.both:
            return Forecast({})
        lead, chal = trend_paths(known, self.window, self.rho, max(horizons), self.draws, rng)
        fc = from_paths(known, lead, chal, horizons)
        return Forecast(fc.draws, {"window": self.window, "rho": self.rho})

    def tune(
        self, past: PastView, origin: int, horizons: Sequence[int], rng: np.random.Generator
    ) -> Trend:
        """Return the trend model with the window and ``rho`` that forecast best before ``origin``.

        Inner origins are the ``TUNE_ORIGINS`` months before ``origin``; a forecast counts
        when its target month is on or before ``origin`` (its outcome is known then, from
        ``past``). Ties and no usable inner forecast keep the current values.
        """
        import scoringrules as sr

        loss = np.zeros((len(TREND_WINDOWS), len(TREND_RHOS)))
        count = 0
        for inner in range(origin - TUNE_ORIGINS, origin):
            hs = [h for h in horizons if inner + h <= origin]
            known = past(inner)
            if not hs or not known.both:
                continue
            observed = {h: float(past(inner + h).gap[-1]) for h in hs}
            if not all(np.isfinite(v) for v in observed.values()):
                continue
            count += len(hs)
            for i, w in enumerate(TREND_WINDOWS):
                lead, chal0 = trend_paths(known, w, 0.0, max(hs), TUNE_DRAWS, rng)
                own = chal0 - chal0[:, :1]
                move = lead - lead[:, :1]
                for j, r in enumerate(TREND_RHOS):
                    chal = chal0[:, :1] + r * move + (1 - r) * own
                    for h in hs:
                        loss[i, j] += float(sr.crps_ensemble(observed[h], lead[:, h] - chal[:, h]))
        if count == 0:
            return self
        best = int(np.argmin(loss))
        i, j = divmod(best, len(TREND_RHOS))
        return Trend(TREND_WINDOWS[i], TREND_RHOS[j], self.draws, self.name)


BASELINES: tuple[Forecaster, ...] = (NoChange(), Drift(), LocalTrend())
"""The baselines, in the order the tables show them."""

__all__ = [
    "BASELINES",
    "DRAWS",
    "HORIZONS",
    "TARGETS",
    "Drift",
    "Forecast",
    "Forecaster",
    "LocalTrend",
    "NoChange",
    "PastView",
    "Trend",
    "from_paths",
    "robust_spread",
    "trend_paths",
]
