"""Forecast results: probabilities, gap and lag quantiles, fan charts; the headline.

A model's run (``engine.RunTotals``) is summarised into a ``ModelForecast``:

- ``p_ahead[t]``: P(challenger strictly ahead at month ``t``), ``t = 0 .. horizon``;
- ``p_ahead_within[k]``: P(ahead at some month ``1 .. k``) for ``k`` in 12, 36, 60 (those
  within the horizon) and the horizon itself, with its Monte Carlo standard error
  ``sqrt(p (1 - p) / n)``;
- gap quantiles in points (leader minus challenger) and lag quantiles in months at each of
  those horizons; fan-chart quantiles of both frontiers and of the gap at every month;
- the median crossing month: the first month by which at least half the draws have had the
  challenger ahead, when there is one within the horizon.

Strict and sustained events
---------------------------
``p_ahead_within`` is the strict event (ahead in some month); a structural run also tallies
the sustained event (``p_sustained_within``; ``gapcast.model.headline``). The structural
model's ``Forecast`` carries the headline (``gapcast.model.headline.Headline``); the trend
model runs beside it as the statistical baseline and is never mixed into it.
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
from gapcast.model.headline import Headline
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
    sfirst: Array | None = None
    """Share of draws whose sustained event first completes in month t (structural runs)."""

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
            None if getattr(totals, "sfirst", None) is None else totals.sfirst / n,  # type: ignore[attr-defined]
        )

    def within(self) -> Array:
        """Return P(ahead at some month 1..t) for each month t (0 at t = 0)."""
        out = np.cumsum(self.first[:-1])
        out[0] = 0.0
        return out


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


def hist_quantiles(hists: Array, bins: Bins, qs: tuple[float, ...] = QUANTILES) -> Array:
    """Return quantiles ``qs`` of each histogram row (``rows × bins`` -> ``rows × qs``).

    The same numbers as ``hist_quantile`` row by row and quantile by quantile, with one
    cumulative sum and one search per row: a forecast's fan has hundreds of rows.
    """
    rows = np.asarray(hists, np.float64).reshape(-1, bins.n)
    cum = np.cumsum(rows, axis=1)
    target = np.asarray(qs, np.float64)[None, :] * cum[:, -1:]
    i = np.empty(target.shape, np.intp)
    for r in range(rows.shape[0]):
        i[r] = np.searchsorted(cum[r], target[r], side="left")
    np.minimum(i, bins.n - 1, out=i)
    r_ = np.arange(rows.shape[0])[:, None]
    before = np.where(i > 0, cum[r_, np.maximum(i - 1, 0)], 0.0)
    mass = rows[r_, i]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(mass > 0, (target - before) / mass, 0.5)
    out: Array = np.asarray(
        bins.lo + (i + np.minimum(np.maximum(frac, 0.0), 1.0)) * bins.width, np.float64
    )
    return out


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
    p_sustained_within: dict[int, float] = field(default_factory=dict)

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
            "p_sustained_within": {str(k): v for k, v in self.p_sustained_within.items()},
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

    # One cumulative sum per histogram row for all quantiles (the fan has 3 rows a month).
    gap_all = hist_quantiles(dist.gap[:months], GAP_BINS)
    lag_rows = hist_quantiles(dist.lag[horizons], LAG_BINS)

    def named(row: Array) -> dict[str, float]:
        return {_qname(q): float(v) for q, v in zip(QUANTILES, row, strict=True)}

    gap_q = {k: named(gap_all[k]) for k in horizons}
    lag_q = {k: named(row) for k, row in zip(horizons, lag_rows, strict=True)}
    fan = {
        "leader": hist_quantiles(dist.level[:months, 0], LEVEL_BINS) + base,
        "challenger": hist_quantiles(dist.level[:months, 1], LEVEL_BINS) + base,
        "gap": gap_all,
    }
    sustained: dict[int, float] = {}
    if dist.sfirst is not None:
        sw = np.cumsum(dist.sfirst[:-1])
        sustained = {k: float(sw[k]) for k in horizons}
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
        sustained,
    )


@dataclass(frozen=True)
class Forecast:
    """The forecasts of the models run (``structural``, ``trend``) and the headline."""

    models: dict[str, ModelForecast]
    headline: Headline | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return every model's forecast and the headline."""
        out: dict[str, Any] = {"models": {k: v.to_dict() for k, v in self.models.items()}}
        if self.headline is not None:
            out["headline"] = self.headline.to_dict()
        return out
