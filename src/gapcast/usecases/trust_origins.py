"""The backtest's origins: what was known at each month end, and what happened after.

Every origin ``o`` is a month end from ``start`` on. What the models start from is measured
as of ``o`` (``build_inputs``: only models released, and LMArena snapshots taken, on or
before ``o``); the observed gap at a target month is measured from all the data (models
released by that month end). A target counts only when its month end is on or before the
data's last date (the latest release on ECI; the latest snapshot on LMArena) and, on
LMArena, only when a newer snapshot than the origin's exists by then (ratings are comparable
only within one snapshot: the gap is measured within the target's snapshot; with no newer
snapshot nothing new was observed).

On LMArena the trend model extrapolates the LMArena frontiers (steps within the latest
snapshot, as ``gapcast forecast`` would); the compute model, whose capability relation is
fitted on ECI, forecasts the ECI gap's change, converted to rating points with the slope of
an OLS line of rating on ECI over the models in the origin's latest snapshot that have an
ECI score (at least ``MIN_SCALE_MODELS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gapcast import measure
from gapcast.errors import GapcastError, InsufficientDataError
from gapcast.evaluate.backtest import Origin
from gapcast.scenario.files import Scenario
from gapcast.usecases.forecast_inputs import Tables, build_inputs, latest_date

MIN_SCALE_MODELS = 8
"""Models with both an LMArena rating and an ECI score needed for the rating-per-ECI slope."""


def data_end(tables: Tables, metric: str) -> dt.date:
    """Return the last date the metric's data covers (latest release, or latest snapshot)."""
    if measure.is_snapshot_metric(tables.scores, metric):
        snaps = tables.scores.loc[tables.scores["metric"] == metric, "as_of"].dropna()
        return pd.Timestamp(snaps.max()).date()
    return latest_date(tables, metric)


def realised_gaps(tables: Tables, scenario: Scenario, metric: str, end: dt.date) -> pd.Series:
    """Return the month-end gaps (leader minus challenger) from all the data, by month."""
    labels = (scenario.groups.leader.label, scenario.groups.challenger.label)
    stamp = pd.Timestamp(end)
    rows = measure.metric_rows(tables.scores, tables.models, measure.Selection(metric), stamp)
    groups = measure.Groups("country", (labels[0],), (labels[1],))
    points = measure.make_points(rows, groups, metric=metric, as_of=stamp)
    monthly = measure.monthly_frontiers(points)
    gap = (monthly["leader"] - monthly["challenger"]).dropna()
    gap.index = pd.DatetimeIndex(gap.index).to_period("M")
    return gap


def snapshot_dates(tables: Tables, metric: str) -> list[dt.date]:
    """Return the dates of the metric's default-view snapshots (empty for non-snapshot)."""
    rows = tables.scores.loc[
        (tables.scores["metric"] == metric)
        & (tables.scores["category"] == measure.DEFAULT_CATEGORY)
        & ~tables.scores["style_control"].astype("boolean").fillna(False).astype(bool)
    ]
    return sorted({pd.Timestamp(d).date() for d in rows["as_of"].dropna()})


def _in_force(snaps: Sequence[dt.date], day: dt.date) -> dt.date | None:
    before = [s for s in snaps if s <= day]
    return before[-1] if before else None


@dataclass(frozen=True)
class RatingScale:
    """LMArena ratings (every snapshot) and ECI scores, read once for every origin."""

    ratings: pd.DataFrame
    eci: pd.DataFrame

    @classmethod
    def load(cls, tables: Tables, end: dt.date) -> RatingScale:
        """Read the default LMArena view's rows and the ECI rows up to ``end``."""
        stamp = pd.Timestamp(end)
        lm = measure.metric_rows(tables.scores, tables.models, measure.Selection("lmarena"), stamp)
        eci = measure.metric_rows(tables.scores, tables.models, measure.Selection("eci"), stamp)
        return cls(lm, eci)


def rating_per_eci(scale: RatingScale, end: dt.date) -> tuple[float, int]:
    """Return the OLS slope of LMArena rating on ECI in the latest snapshot by ``end``, and n.

    Each model's best rating in that snapshot (a snapshot's ratings do not depend on later
    data) against its best ECI score released by ``end``; raises ``InsufficientDataError``
    with fewer than ``MIN_SCALE_MODELS`` models.
    """
    stamp = pd.Timestamp(end)
    lm = scale.ratings.loc[scale.ratings["snapshot"] <= stamp]
    if lm.empty:
        raise InsufficientDataError(f"no LMArena ratings on or before {end}")
    lm = lm.loc[lm["snapshot"] == lm["snapshot"].max()]
    eci = scale.eci.loc[scale.eci["date"] <= stamp]
    pairs = (
        lm.groupby("model_id")["value"]
        .max()
        .rename("rating")
        .to_frame()
        .join(eci.groupby("model_id")["value"].max().rename("eci"), how="inner")
    )
    if len(pairs) < MIN_SCALE_MODELS:
        raise InsufficientDataError(
            f"only {len(pairs)} models have both an LMArena rating and an ECI score on {end} "
            f"(need {MIN_SCALE_MODELS}) to convert the compute model's ECI gap"
        )
    slope = float(np.polyfit(pairs["eci"].to_numpy(), pairs["rating"].to_numpy(), 1)[0])
    if slope <= 0:
        raise InsufficientDataError(f"LMArena rating does not rise with ECI on {end}")
    return slope, len(pairs)


def build_origins(
    tables: Tables,
    scenario: Scenario,
    *,
    metric: str,
    horizons: Sequence[int],
    start: str,
) -> tuple[list[Origin], list[str]]:
    """Return the backtest's origins, monthly from ``start``, and notes on what was skipped.

    An origin counts when at least one of its horizons is observed (so the last is the
    latest whose shortest horizon is observed).
    """
    end = data_end(tables, metric)
    gaps = realised_gaps(tables, scenario, metric, end)
    by_month: dict[pd.Period, float] = {pd.Period(str(k), "M"): float(v) for k, v in gaps.items()}
    snaps = snapshot_dates(tables, metric)
    scale = RatingScale.load(tables, end) if metric != scenario.metric else None
    notes: list[str] = []
    first = pd.Period(start, "M")
    last = pd.Period(end, "M")
    origins: list[Origin] = []
    for period in pd.period_range(first, last, freq="M"):
        day = period.end_time.date()
        targets = {}
        for h in horizons:
            target = period + h
            when = target.end_time.date()
            if when > end or target not in by_month:
                continue
            if snaps and _in_force(snaps, when) == _in_force(snaps, day):
                notes.append(f"{day} +{h}: no newer {metric} snapshot by {when}; not scored")
                continue
            targets[h] = by_month[target]
        if not targets:
            continue
        if period not in gaps.index:
            notes.append(f"{day}: no gap measured yet (a group has no {metric} score)")
            continue
        origins.append(_origin(tables, scenario, metric, day, gaps, period, targets, scale))
    return origins, notes


def _origin(
    tables: Tables,
    scenario: Scenario,
    metric: str,
    day: dt.date,
    gaps: pd.Series,
    period: pd.Period,
    targets: dict[int, float],
    rating_scale: RatingScale | None,
) -> Origin:
    why: list[str] = []
    compute = trend = None
    try:
        compute = build_inputs(tables, scenario, day)
    except GapcastError as err:
        why.append(f"compute: {err.message}")
    scale = 1.0
    if metric == scenario.metric:
        trend = compute
    else:
        try:
            trend = build_inputs(tables, scenario, day, frontier_metric=metric, structural=compute)
        except GapcastError as err:
            why.append(f"trend: {err.message}")
        if compute is not None and rating_scale is not None:
            try:
                scale, _ = rating_per_eci(rating_scale, day)
            except GapcastError as err:
                why.append(f"compute: {err.message}")
                compute = None
    history = gaps.loc[:period].to_numpy(np.float64)
    gap = float(history[-1])
    if trend is not None:
        gap = trend.leader.frontier - trend.challenger.frontier
    return Origin(day, gap, history, targets, trend, compute, scale, tuple(why))


__all__ = [
    "MIN_SCALE_MODELS",
    "RatingScale",
    "build_origins",
    "data_end",
    "rating_per_eci",
    "realised_gaps",
    "snapshot_dates",
]
