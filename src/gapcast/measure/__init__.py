"""Measure the gap between two groups: frontiers, gaps, lags and their uncertainty.

Pure functions over data frames (no I/O; never imports the store, CLI, API or plotting).
The flow, for any metric (``scores`` and ``models`` are ``gapcast.resolve.resolve``'s
``Resolved.scores`` and ``Resolved.models``)::

    rows = metric_rows(scores, models, Selection("eci"), as_of)     # the rules applied
    points = make_points(rows, Groups(), metric="eci", as_of=as_of)  # grouped, deduplicated
    result = measure_gap(points, rng=rng_from_seed(1), draws=1000)  # GapResult
    result.to_dict()                                                 # JSON-ready

``Groups("accessibility", ("closed",), ("open",))`` or ``Groups("organization",
("OpenAI", "Anthropic"), ("DeepSeek",))`` compare other groups; ``Selection("lmarena",
category="coding", style_control=True)`` picks an LMArena view.

For the forecast model
----------------------
``monthly_frontiers(points)``
    Both groups' frontiers at every month end up to ``as_of``, from the first month end
    either group has a model (a group is ``NaN`` before its first). Columns ``leader``,
    ``challenger``, and ``leader_model`` / ``leader_date`` (and the challenger's): the model
    holding each frontier and its release date.
``frontier_steps(points)``
    The history of frontier steps: each model that raised its group's frontier, with
    ``side``, ``group``, ``date``, ``model``, ``value``, ``previous`` and ``step``
    (``value - previous``; ``NaN`` for a group's first model).
``frontier(points, dates)``
    The same frontiers on any dates (``evaluation_dates(points, "daily")`` for daily).

LMArena ratings are comparable only within one snapshot: their frontiers across months are
not a time series on one scale; use ECI (the primary scale) for trends.
"""

from gapcast.measure.frontier import (
    COUNTRY_RULES,
    DEFAULT_SIDES,
    GROUP_BY,
    Groups,
    Points,
    assign_groups,
    evaluation_dates,
    frontier,
    frontier_steps,
    group_values,
    make_points,
    monthly_frontiers,
)
from gapcast.measure.gaps import (
    Reference,
    find_reference,
    first_match,
    gap_series,
    measure_gap,
)
from gapcast.measure.points import (
    DEFAULT_CATEGORY,
    TRAINING_COMPUTE,
    Selection,
    categories,
    is_snapshot_metric,
    known_metrics,
    metric_rows,
)
from gapcast.measure.results import GapResult
from gapcast.measure.trend import ols_trend
from gapcast.measure.uncertainty import (
    DEFAULT_SEED,
    draw_values,
    percentile_interval,
    rng_from_seed,
)

__all__ = [
    "COUNTRY_RULES",
    "DEFAULT_CATEGORY",
    "DEFAULT_SEED",
    "DEFAULT_SIDES",
    "GROUP_BY",
    "GapResult",
    "Groups",
    "Points",
    "Reference",
    "Selection",
    "TRAINING_COMPUTE",
    "assign_groups",
    "categories",
    "draw_values",
    "evaluation_dates",
    "find_reference",
    "first_match",
    "frontier",
    "frontier_steps",
    "gap_series",
    "group_values",
    "is_snapshot_metric",
    "known_metrics",
    "make_points",
    "measure_gap",
    "metric_rows",
    "monthly_frontiers",
    "ols_trend",
    "percentile_interval",
    "rng_from_seed",
]
