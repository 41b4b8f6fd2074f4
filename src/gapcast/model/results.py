"""Forecast results: probabilities, gap and lag quantiles, fan charts; and the ensemble.

A model's run (``engine.RunTotals``) is summarised into a ``ModelForecast``:

- ``p_ahead[t]``: P(challenger strictly ahead at month ``t``), ``t = 0 .. horizon``;
- ``p_ahead_within[k]``: P(ahead at some month ``1 .. k``) for ``k`` in 12, 36, 60 (those
  within the horizon) and the horizon itself, with its Monte Carlo standard error
  ``sqrt(p (1 - p) / n)``;
- gap quantiles in points (leader minus challenger) and lag quantiles in months at each of
  those horizons; fan-chart quantiles of both frontiers and of the gap at every month;
- the median crossing month: the first month by which at least half the draws have had the
  challenger ahead, when there is one within the horizon.

The ensemble
------------
``ensemble(trend, compute, w)`` is the equal-weight (by default, ``w = 0.5``) *mixture* of
the two models' draws: every probability is ``w p_compute + (1 - w) p_trend`` and every
quantile is a quantile of the mixed distribution (histograms added with those weights). A
mixture, rather than an average of quantiles, keeps both models' spread: if they disagree,
the ensemble's intervals cover both. The weight is a scenario setting (``ensemble.
compute_weight``) until backtests calibrate it (issue 5). Its standard error is
``sqrt(w^2 se_c^2 + (1 - w)^2 se_t^2)``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gapcast.model._outcomes import GAP_BINS, LAG_BINS, LEVEL_BINS, Bins
from gapcast.model.engine import RunTotals
from gapcast.model.inputs import month_date

HORIZONS = (12, 36, 60)
"""Horizons (months) of the headline probabilities and quantiles."""
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""Quantiles reported (fan charts use all five)."""

Array = NDArray[np.float64]


def _qname(q: float) -> str:
    return f"q{round(q * 100):02d}"


@dataclass(frozen=True)
class Distributions:
    """A model's outcome distributions as probabilities (histograms normalised)."""

    draws: int
    ahead: Array
    first: Array
    gap: Array
    level: Array
    lag: Array
    var_within: Array
    """Monte Carlo variance of P(ahead by month t), per month."""

    @classmethod
    def from_totals(cls, totals: RunTotals) -> Distributions:
        """Normalise a run's integer tallies."""
        n = float(totals.draws)
        first = totals.first / n
        within = np.cumsum(first[:-1])
        within[0] = 0.0
        return cls(
            totals.draws,
            totals.ahead / n,
            first,
            totals.gap / n,
            totals.level / n,
            totals.lag / n,
            within * (1.0 - within) / n,
        )

    def within(self) -> Array:
        """Return P(ahead at some month 1..t) for each month t (0 at t = 0)."""
        out = np.cumsum(self.first[:-1])
        out[0] = 0.0
        return out


def mix(trend: Distributions, compute: Distributions, weight: float) -> Distributions:
    """Return the mixture ``weight * compute + (1 - weight) * trend``."""
    w, v = weight, 1.0 - weight
    return Distributions(
        trend.draws + compute.draws,
        w * compute.ahead + v * trend.ahead,
        w * compute.first + v * trend.first,
        w * compute.gap + v * trend.gap,
        w * compute.level + v * trend.level,
        w * compute.lag + v * trend.lag,
        w * w * compute.var_within + v * v * trend.var_within,
    )


def hist_quantile(hist: Array, bins: Bins, q: float) -> float:
    """Return quantile ``q`` of a histogram (probabilities), linear within the bin."""
    cum = np.cumsum(hist)
    total = cum[-1]
    target = q * total
    i = int(np.searchsorted(cum, target, side="left"))
    i = min(i, bins.n - 1)
    before = cum[i - 1] if i > 0 else 0.0
    mass = hist[i]
    frac = (target - before) / mass if mass > 0 else 0.5
    return float(bins.lo + (i + min(max(frac, 0.0), 1.0)) * bins.width)


@dataclass(frozen=True)
class ModelForecast:
    """One model's forecast (``trend``, ``compute`` or ``ensemble``)."""

    model: str
    draws: int
    as_of: dt.date
    groups: tuple[str, str]
    horizon: int
    p_ahead: Array
    p_ahead_within: dict[int, float]
    p_ahead_within_se: dict[int, float]
    gap_quantiles: dict[int, dict[str, float]]
    lag_quantiles: dict[int, dict[str, float]]
    fan: dict[str, Array]
    """``leader``, ``challenger`` (frontier levels) and ``gap``: months × quantiles."""
    median_crossing_month: int | None
    within_all: Array = field(repr=False, default_factory=lambda: np.zeros(0))

    @property
    def median_crossing_date(self) -> dt.date | None:
        """Return the month (first day) of the median crossing, if any."""
        if self.median_crossing_month is None:
            return None
        return month_date(self.as_of, self.median_crossing_month)

    def to_dict(self) -> dict[str, Any]:
        """Return the forecast as a JSON-ready mapping (full precision)."""
        crossing = None
        when = self.median_crossing_date
        if self.median_crossing_month is not None and when is not None:
            crossing = {"month": self.median_crossing_month, "date": when.isoformat()}
        return {
            "model": self.model,
            "draws": self.draws,
            "as_of": self.as_of.isoformat(),
            "groups": {"leader": self.groups[0], "challenger": self.groups[1]},
            "horizon_months": self.horizon,
            "p_ahead_within": {str(k): v for k, v in self.p_ahead_within.items()},
            "p_ahead_within_se": {str(k): v for k, v in self.p_ahead_within_se.items()},
            "p_ahead_at": self.p_ahead.tolist(),
            "p_ahead_by": self.within_all.tolist(),
            "gap_quantiles": {str(k): v for k, v in self.gap_quantiles.items()},
            "lag_quantiles": {str(k): v for k, v in self.lag_quantiles.items()},
            "median_crossing": crossing,
            "fan": {
                "quantiles": [_qname(q) for q in QUANTILES],
                **{k: v.tolist() for k, v in self.fan.items()},
            },
        }


def summarize(
    dist: Distributions, *, model: str, as_of: dt.date, groups: tuple[str, str], base: float
) -> ModelForecast:
    """Summarise outcome distributions into a ``ModelForecast``."""
    months = dist.ahead.shape[0]
    horizon = months - 1
    within = dist.within()
    horizons = [k for k in HORIZONS if k <= horizon]
    if horizon not in horizons:
        horizons.append(horizon)
    p_within = {k: float(within[k]) for k in horizons}
    se = {k: float(math.sqrt(max(dist.var_within[k], 0.0))) for k in horizons}

    def quantiles(row: Array, bins: Bins, shift: float = 0.0) -> dict[str, float]:
        return {_qname(q): hist_quantile(row, bins, q) + shift for q in QUANTILES}

    gap_q = {k: quantiles(dist.gap[k], GAP_BINS) for k in horizons}
    lag_q = {k: quantiles(dist.lag[k], LAG_BINS) for k in horizons}
    fan = {
        "leader": np.array(
            [
                [hist_quantile(dist.level[t, 0], LEVEL_BINS, q) + base for q in QUANTILES]
                for t in range(months)
            ]
        ),
        "challenger": np.array(
            [
                [hist_quantile(dist.level[t, 1], LEVEL_BINS, q) + base for q in QUANTILES]
                for t in range(months)
            ]
        ),
        "gap": np.array(
            [[hist_quantile(dist.gap[t], GAP_BINS, q) for q in QUANTILES] for t in range(months)]
        ),
    }
    reached = np.nonzero(within >= 0.5)[0]
    crossing = int(reached[0]) if reached.size else None
    return ModelForecast(
        model,
        dist.draws,
        as_of,
        groups,
        horizon,
        dist.ahead.copy(),
        p_within,
        se,
        gap_q,
        lag_q,
        fan,
        crossing,
        within,
    )


@dataclass(frozen=True)
class Decomposition:
    """The measured initial gap split into what the compute model attributes it to."""

    measured: float
    parts: dict[str, dict[str, float]]

    def to_dict(self) -> dict[str, Any]:
        """Return medians and 90% intervals of each part."""
        return {"measured_gap": self.measured, "parts": self.parts}

    @classmethod
    def from_draws(cls, measured: float, parts: dict[str, Array]) -> Decomposition:
        """Summarise per-draw parts by their median and 5th/95th percentiles."""
        out = {
            k: {
                "median": float(np.median(v)),
                "q05": float(np.quantile(v, 0.05)),
                "q95": float(np.quantile(v, 0.95)),
            }
            for k, v in parts.items()
        }
        return cls(measured, out)


@dataclass(frozen=True)
class Forecast:
    """The forecasts of the models run, keyed ``trend``, ``compute``, ``ensemble``."""

    models: dict[str, ModelForecast]
    compute_weight: float
    decomposition: Decomposition | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return every model's forecast."""
        out: dict[str, Any] = {
            "models": {k: v.to_dict() for k, v in self.models.items()},
            "ensemble_compute_weight": self.compute_weight,
        }
        if self.decomposition is not None:
            out["initial_gap_decomposition"] = self.decomposition.to_dict()
        return out
