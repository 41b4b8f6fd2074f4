"""Result objects of the measure stage: frozen dataclasses with a JSON-ready ``to_dict``.

``to_dict`` turns dates into ISO strings, ``NaN`` into ``None`` and intervals into
two-element lists; floats are kept at full precision so a stored result reproduces to the
last digit.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

Interval = tuple[float | None, float | None]

LAG_METHOD = (
    "backward: t minus the first date the leader's frontier reached the challenger's "
    "frontier level at t; 0 when the challenger is level or ahead; censored when the "
    "leader's recorded history starts above that level (the lag is then at least the value)"
)
LAG_FORWARD_METHOD = (
    "forward: the first date after t on which the challenger's frontier reached the "
    "leader's level at t, minus t; 0 when the challenger is level or ahead; censored when "
    "not reached by as_of (the lag is then at least the value); reported at the latest date "
    "t whose value is not censored"
)
GAP_METHOD = "leader frontier minus challenger frontier, in the metric's points"
RELATIVE_GAP_METHOD = "(leader - challenger) / challenger x 100"


def num(value: object) -> float | None:
    """Return a float, or ``None`` for missing and non-finite values."""
    if value is None:
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def day(value: object) -> dt.date | None:
    """Return a calendar date, or ``None`` for missing values."""
    if value is None:
        return None
    if not isinstance(value, (str, dt.date, pd.Timestamp)) and pd.isna(value):  # type: ignore[call-overload]
        return None
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if pd.isna(stamp):
        return None
    return stamp.date()


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _pair(interval: Interval) -> list[float | None]:
    return [interval[0], interval[1]]


@dataclass(frozen=True)
class FrontierModel:
    """One side's frontier at a date: which model holds it, when released, what score."""

    group: str
    model: str | None
    version: str | None
    date: dt.date | None
    score: float | None
    score_ci: Interval
    n_models: int
    snapshot: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        out = {
            "group": self.group,
            "model": self.model,
            "version": self.version,
            "date": _iso(self.date),
            "score": self.score,
            "score_ci": _pair(self.score_ci),
            "n_models": self.n_models,
        }
        if self.snapshot is not None:
            out["snapshot"] = _iso(self.snapshot)
        return out


@dataclass(frozen=True)
class Lag:
    """A lag in months at one date ``at``, by one method, with its interval."""

    months: float | None
    ci: Interval
    censored: bool
    censored_share: float | None
    method: str
    at: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        return {
            "at": _iso(self.at),
            "months": self.months,
            "ci": _pair(self.ci),
            "censored": self.censored,
            "censored_share_of_draws": self.censored_share,
            "method": self.method,
        }


@dataclass(frozen=True)
class LagSummary:
    """Mean, minimum and maximum backward lag over a period of the series."""

    since: dt.date | None
    until: dt.date | None
    mean: float | None
    mean_ci: Interval
    min: float | None
    max: float | None
    censored_dates: int
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        return {
            "since": _iso(self.since),
            "until": _iso(self.until),
            "mean": self.mean,
            "mean_ci": _pair(self.mean_ci),
            "min": self.min,
            "max": self.max,
            "censored_dates": self.censored_dates,
            "method": self.method,
        }


@dataclass(frozen=True)
class Trend:
    """Linear trend of a series over a trailing window, per year, with its interval."""

    quantity: str
    slope_per_year: float | None
    ci: Interval
    n: int
    start: dt.date | None
    end: dt.date | None
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        return {
            "quantity": self.quantity,
            "slope_per_year": self.slope_per_year,
            "ci": _pair(self.ci),
            "n": self.n,
            "start": _iso(self.start),
            "end": _iso(self.end),
            "method": self.method,
        }


@dataclass(frozen=True)
class Match:
    """When the challenger first matched a reference model's score."""

    reference: str
    reference_version: str | None
    reference_score: float
    reference_date: dt.date | None
    model: str | None
    version: str | None
    date: dt.date | None
    score: float | None
    months_after: float | None
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        return {
            "reference": self.reference,
            "reference_version": self.reference_version,
            "reference_score": self.reference_score,
            "reference_date": _iso(self.reference_date),
            "model": self.model,
            "version": self.version,
            "date": _iso(self.date),
            "score": self.score,
            "months_after": self.months_after,
            "method": self.method,
        }


@dataclass(frozen=True)
class SeriesRow:
    """One date of the gap series."""

    date: dt.date
    leader: float | None
    challenger: float | None
    leader_model: str | None
    challenger_model: str | None
    gap_points: float | None
    gap_points_ci: Interval
    relative_gap_pct: float | None
    lag_months: float | None
    lag_months_ci: Interval
    lag_censored: bool
    lag_forward_months: float | None
    lag_forward_months_ci: Interval
    lag_forward_censored: bool
    snapshot: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        out: dict[str, Any] = {
            "date": _iso(self.date),
            "leader": self.leader,
            "challenger": self.challenger,
            "leader_model": self.leader_model,
            "challenger_model": self.challenger_model,
            "gap_points": self.gap_points,
            "gap_points_ci": _pair(self.gap_points_ci),
            "relative_gap_pct": self.relative_gap_pct,
            "lag_months": self.lag_months,
            "lag_months_ci": _pair(self.lag_months_ci),
            "lag_censored": self.lag_censored,
            "lag_forward_months": self.lag_forward_months,
            "lag_forward_months_ci": _pair(self.lag_forward_months_ci),
            "lag_forward_censored": self.lag_forward_censored,
        }
        if self.snapshot is not None:
            out["snapshot"] = _iso(self.snapshot)
        return out


@dataclass(frozen=True)
class Step:
    """A model that raised its group's frontier."""

    side: str
    group: str
    date: dt.date | None
    model: str | None
    version: str | None
    score: float | None
    previous: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        return {
            "side": self.side,
            "group": self.group,
            "date": _iso(self.date),
            "model": self.model,
            "version": self.version,
            "score": self.score,
            "previous": self.previous,
        }


@dataclass(frozen=True)
class GapResult:
    """The gap between two groups on one metric as of a date, with its history.

    ``lag`` is the primary (backward) lag; ``lag_forward`` the alternative definition.
    Every interval comes from the same draws (see ``gapcast.measure.uncertainty``).
    """

    metric: str
    as_of: dt.date
    leader: FrontierModel
    challenger: FrontierModel
    gap_points: float | None
    gap_points_ci: Interval
    relative_gap_pct: float | None
    relative_gap_pct_ci: Interval
    lag: Lag
    lag_forward: Lag
    lag_summary: LagSummary
    trend: Trend
    lag_trend: Trend
    series: tuple[SeriesRow, ...]
    steps: tuple[Step, ...]
    match: Match | None = None
    uncertainty: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form (the ``--json`` output and the API body)."""
        return {
            "metric": self.metric,
            "as_of": _iso(self.as_of),
            "settings": dict(self.settings),
            "leader": self.leader.to_dict(),
            "challenger": self.challenger.to_dict(),
            "gap_points": self.gap_points,
            "gap_points_ci": _pair(self.gap_points_ci),
            "relative_gap_pct": self.relative_gap_pct,
            "relative_gap_pct_ci": _pair(self.relative_gap_pct_ci),
            "lag_months": self.lag.months,
            "lag_months_ci": _pair(self.lag.ci),
            "lag_censored": self.lag.censored,
            "lag_forward_months": self.lag_forward.months,
            "lag_forward_months_ci": _pair(self.lag_forward.ci),
            "lag_forward_censored": self.lag_forward.censored,
            "lag_forward_at": _iso(self.lag_forward.at),
            "methods": {
                "gap_points": GAP_METHOD,
                "relative_gap_pct": RELATIVE_GAP_METHOD,
                "lag_months": self.lag.method,
                "lag_forward_months": self.lag_forward.method,
                "uncertainty": self.uncertainty.get("method"),
                "trend": self.trend.method,
            },
            "lag": self.lag.to_dict(),
            "lag_forward": self.lag_forward.to_dict(),
            "lag_summary": self.lag_summary.to_dict(),
            "trend": self.trend.to_dict(),
            "lag_trend": self.lag_trend.to_dict(),
            "match": self.match.to_dict() if self.match is not None else None,
            "uncertainty": dict(self.uncertainty),
            "series": [row.to_dict() for row in self.series],
            "steps": [step.to_dict() for step in self.steps],
        }
