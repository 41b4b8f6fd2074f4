r"""Predictive distributions of the gap, the naive baselines, and proper scoring rules.

A forecast of the gap ``y`` (leader minus challenger, in the metric's points) at one horizon
is a predictive distribution ``F``: the Monte Carlo draws of a model
(``SamplePredictive``, optionally weighted, e.g. the ensemble's mixture) or a normal
(``NormalPredictive``, the naive baselines). Each is scored by

- the **CRPS** (continuous ranked probability score, in points; lower is better)

  .. math:: \operatorname{CRPS}(F, y) = \int (F(x) - \mathbf 1\{y \le x\})^2\,dx
            = E|X - y| - \tfrac12 E|X - X'|,

  computed with ``scoringrules.crps_ensemble`` on the draws (its default estimator is this
  formula applied to the empirical distribution) and ``scoringrules.crps_normal``'s closed
  form for the normal baselines (``|y - mu|`` when ``sigma = 0``);
- the **Brier score** ``(p - o)^2`` of two events, with ``o`` the event's indicator:
  "the challenger is within ``threshold`` points" (``y <= threshold``, being ahead counts)
  and "the gap narrows" (``y < y_0``, the gap at the forecast's origin);
- the **coverage** of the central 50%, 80% and 95% intervals (is ``y`` inside?);
- the **PIT** ``F(y)``, randomised where ``F`` jumps at ``y`` (``F(y^-) + u (F(y) - F(y^-))``
  with ``u`` uniform): draws often repeat the origin's gap exactly (no release within the
  horizon), so without randomisation the PIT of a calibrated forecast would not be uniform.

The naive baselines (their predictive distributions come from the gap's own history before
the origin, so that their CRPS is comparable with the models')
-----------------------------------------------------------------------------------------
persistence
    ``y ~ N(y_0, sigma_h^2)``: the gap stays; ``sigma_h^2`` is the mean squared ``h``-month
    change of the gap over the last ``ERROR_WINDOW`` months (persistence's own past errors at
    that horizon); with fewer than ``MIN_ERRORS`` such changes, ``h`` times the mean squared
    1-month change (a random walk).
linear
    An ordinary least-squares line through the last ``LINEAR_WINDOW + 1`` month-end gaps,
    extrapolated ``h`` months. ``sigma_h`` is the root mean square of the same method's past
    errors at horizon ``h`` over the last ``ERROR_WINDOW`` months (forecasts from earlier
    origins whose target month is already in the history); with fewer than ``MIN_ERRORS`` of
    them, the regression's own prediction standard error
    ``s sqrt(1 + 1/n + (x_h - xbar)^2 / S_xx)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

Array = NDArray[np.float64]

LEVELS = (0.5, 0.8, 0.95)
"""Central interval levels whose coverage is scored."""
MIN_ERRORS = 3
"""Past errors needed before a baseline's spread is estimated from them."""
LINEAR_WINDOW = 12
"""Months of history (before the origin) the linear baseline fits."""
MIN_LINEAR_POINTS = 4
"""Month-end gaps needed to fit the linear baseline."""
ERROR_WINDOW = 24
"""Months of history whose errors set a baseline's spread (the trend model's window)."""


def _scoringrules() -> Any:
    """Import scoringrules on first use (its import compiles Numba kernels: ~2 s)."""
    import scoringrules

    return scoringrules


@dataclass(frozen=True)
class SamplePredictive:
    """A predictive distribution given by (weighted) draws; ``samples`` sorted ascending."""

    samples: Array
    weights: Array | None = None
    """Normalised weights aligned with ``samples`` (``None``: equal weights)."""

    @classmethod
    def of(cls, draws: Array) -> SamplePredictive:
        """Return the empirical distribution of ``draws``."""
        return cls(np.sort(np.asarray(draws, dtype=np.float64)))

    @classmethod
    def mixture(cls, a: SamplePredictive, b: SamplePredictive, w: float) -> SamplePredictive:
        """Return the mixture ``w * a + (1 - w) * b`` (the ensemble's mixture of draws)."""
        wa = a.weights if a.weights is not None else np.full(a.samples.size, 1.0 / a.samples.size)
        wb = b.weights if b.weights is not None else np.full(b.samples.size, 1.0 / b.samples.size)
        x = np.concatenate([a.samples, b.samples])
        wt = np.concatenate([w * wa, (1.0 - w) * wb])
        order = np.argsort(x, kind="stable")
        return cls(x[order], wt[order] / wt.sum())

    def _cum(self) -> Array:
        if self.weights is None:
            return np.arange(1, self.samples.size + 1, dtype=np.float64) / self.samples.size
        return np.asarray(np.cumsum(self.weights), dtype=np.float64)

    def cdf(self, y: float) -> tuple[float, float]:
        """Return ``(F(y^-), F(y))``: the probability below ``y`` and at or below it."""
        cum = self._cum()
        lo = int(np.searchsorted(self.samples, y, side="left"))
        hi = int(np.searchsorted(self.samples, y, side="right"))
        below = float(cum[lo - 1]) if lo > 0 else 0.0
        upto = float(cum[hi - 1]) if hi > 0 else 0.0
        return below, min(upto, 1.0)

    def quantile(self, q: float) -> float:
        """Return the smallest draw ``x`` with ``F(x) >= q``."""
        cum = self._cum()
        i = int(np.searchsorted(cum, q - 1e-12, side="left"))
        return float(self.samples[min(i, self.samples.size - 1)])

    def crps(self, y: float) -> float:
        """Return the CRPS of ``y`` (``scoringrules.crps_ensemble``)."""
        sr = _scoringrules()
        if self.weights is None:
            return float(sr.crps_ensemble(y, self.samples, sorted_ensemble=True))
        return float(sr.crps_ensemble(y, self.samples, ens_w=self.weights))


@dataclass(frozen=True)
class NormalPredictive:
    """A normal predictive distribution ``N(mu, sigma^2)`` (``sigma = 0``: a point mass)."""

    mu: float
    sigma: float

    def cdf(self, y: float) -> tuple[float, float]:
        """Return ``(F(y^-), F(y))`` (equal unless ``sigma = 0`` and ``y = mu``)."""
        if self.sigma > 0:
            p = float(special.ndtr((y - self.mu) / self.sigma))
            return p, p
        return (0.0 if y <= self.mu else 1.0), (0.0 if y < self.mu else 1.0)

    def quantile(self, q: float) -> float:
        """Return the ``q`` quantile."""
        return float(self.mu + self.sigma * special.ndtri(q)) if self.sigma > 0 else self.mu

    def crps(self, y: float) -> float:
        """Return the CRPS of ``y`` (closed form; ``|y - mu|`` for a point mass)."""
        if self.sigma > 0:
            return float(_scoringrules().crps_normal(y, self.mu, self.sigma))
        return abs(y - self.mu)


Predictive = SamplePredictive | NormalPredictive


@dataclass(frozen=True)
class Score:
    """One forecast scored against what happened (one model, origin and horizon)."""

    crps: float
    p_within: float
    """Forecast probability that the challenger is within the threshold (``y <= threshold``)."""
    p_narrows: float
    """Forecast probability that the gap narrows (``y < y_0``)."""
    within: bool
    narrows: bool
    pit: float
    covered: tuple[bool, ...]
    """Is ``y`` inside the central interval of each of ``LEVELS``?"""
    median: float
    interval80: tuple[float, float]

    @property
    def brier_within(self) -> float:
        """Return the Brier score of "within the threshold"."""
        return (self.p_within - float(self.within)) ** 2

    @property
    def brier_narrows(self) -> float:
        """Return the Brier score of "the gap narrows"."""
        return (self.p_narrows - float(self.narrows)) ** 2


def score(pred: Predictive, y: float, start: float, threshold: float, u: float) -> Score:
    """Score a predictive distribution of the gap against the observed gap ``y``.

    Parameters
    ----------
    pred
        The forecast.
    y
        The observed gap at the target month.
    start
        The gap at the forecast's origin (``y_0``), for "the gap narrows".
    threshold
        Points within which the challenger counts as close (``y <= threshold``).
    u
        A uniform number in (0, 1) for the randomised PIT.
    """
    below, upto = pred.cdf(y)
    covered = []
    for level in LEVELS:
        lo, hi = pred.quantile((1 - level) / 2), pred.quantile((1 + level) / 2)
        covered.append(bool(lo <= y <= hi))
    p_within = pred.cdf(threshold)[1]
    p_narrows = pred.cdf(start)[0]
    return Score(
        crps=pred.crps(y),
        p_within=p_within,
        p_narrows=p_narrows,
        within=bool(y <= threshold),
        narrows=bool(y < start),
        pit=below + u * (upto - below),
        covered=tuple(covered),
        median=pred.quantile(0.5),
        interval80=(pred.quantile(0.1), pred.quantile(0.9)),
    )


def persistence(history: Array, h: int) -> NormalPredictive | None:
    """Return the persistence forecast ``N(y_0, sigma_h^2)`` ``h`` months ahead (module doc).

    ``history`` holds the month-end gaps up to and including the origin's, oldest first;
    ``None`` when it is too short to estimate a spread (fewer than 3 months).
    """
    hist = np.asarray(history, dtype=np.float64)
    if hist.size < 3:
        return None
    recent = hist[-(ERROR_WINDOW + 1) :]
    changes = recent[h:] - recent[:-h] if recent.size > h else np.zeros(0)
    if changes.size >= MIN_ERRORS:
        sigma = math.sqrt(float(np.mean(changes**2)))
    else:
        monthly = np.diff(recent)
        sigma = math.sqrt(h * float(np.mean(monthly**2)))
    return NormalPredictive(float(hist[-1]), sigma)


def _line(points: Array, ahead: int) -> tuple[float, float]:
    """Return the OLS line's forecast ``ahead`` months after the last point, and its se."""
    n = points.size
    x = np.arange(n, dtype=np.float64)
    xbar = float(x.mean())
    sxx = float(((x - xbar) ** 2).sum())
    slope = float(((x - xbar) * (points - points.mean())).sum() / sxx)
    intercept = float(points.mean()) - slope * xbar
    x_new = n - 1 + ahead
    resid = points - (intercept + slope * x)
    s2 = float((resid**2).sum() / (n - 2)) if n > 2 else 0.0
    se = math.sqrt(s2 * (1 + 1 / n + (x_new - xbar) ** 2 / sxx))
    return intercept + slope * x_new, se


def linear(history: Array, h: int) -> NormalPredictive | None:
    """Return the linear-extrapolation forecast ``h`` months ahead (module docstring).

    ``None`` when fewer than ``MIN_LINEAR_POINTS`` month-end gaps are known.
    """
    hist = np.asarray(history, dtype=np.float64)
    if hist.size < MIN_LINEAR_POINTS:
        return None
    mean, se = _line(hist[-(LINEAR_WINDOW + 1) :], h)
    errors = [
        hist[j + h] - _line(hist[max(0, j - LINEAR_WINDOW) : j + 1], h)[0]
        for j in range(max(MIN_LINEAR_POINTS - 1, hist.size - 1 - ERROR_WINDOW), hist.size - h)
    ]
    sigma = math.sqrt(float(np.mean(np.square(errors)))) if len(errors) >= MIN_ERRORS else se
    return NormalPredictive(mean, sigma)


__all__ = [
    "LEVELS",
    "LINEAR_WINDOW",
    "MIN_ERRORS",
    "NormalPredictive",
    "Predictive",
    "SamplePredictive",
    "Score",
    "linear",
    "persistence",
    "score",
]
