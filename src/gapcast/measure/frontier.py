r"""Groups and frontiers: the best score each group had reached by each date.

For a group ``g`` with points ``(d_i, v_i)`` (a model version ``i`` released on day ``d_i``
with score ``v_i``) the frontier is the step function

.. math:: F_g(t) = \max \{ v_i : i \in g,\ d_i \le t \},

undefined before the group's first point. It never decreases. For LMArena, where a rating
is only meaningful within its snapshot, ``F_g(t)`` is the best rating in the latest
snapshot ``s <= t`` (see ``gaps`` for how lags stay within one snapshot).

Rules
-----
Groups (``Groups.by``)
    ``country`` (default United States vs China), ``accessibility`` (default closed vs
    open) or ``organization`` (explicit lists on each side). Labels match
    case-insensitively. A model in both groups counts for both.
Models attributed to several countries (``Groups.countries``)
    ``primary`` (default): the resolved primary ``country`` only. ``all``: the model counts
    for every country in ``countries``.
Organisations
    A score's ``organization`` may list several developers separated by ``,`` or ``|``;
    it belongs to a group when any of them is in the group's list.
Duplicate versions of one model (``make_points``)
    Variants, re-runs and provider copies share a ``model_id``. Per group and model, a
    version is kept only if it beats every earlier version of that model (a new best), so
    each model contributes its running best score; on one day the best variant counts. This
    changes no frontier value; it makes the model, not the variant, the unit of the
    bootstrap and of reporting. For LMArena, one rating per model and snapshot: the best.
Ties
    The model reported at a frontier is the one that reached the frontier value first: the
    earliest released; on the same day, the higher score, then the model name in
    alphabetical order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from gapcast.measure._engine import CHALLENGER, LEADER, evaluate, to_days

GroupBy = Literal["country", "accessibility", "organization"]
CountryRule = Literal["primary", "all"]

GROUP_BY: Final[tuple[str, ...]] = ("country", "accessibility", "organization")
COUNTRY_RULES: Final[tuple[str, ...]] = ("primary", "all")
DEFAULT_SIDES: Final[dict[str, tuple[str, str]]] = {
    "country": ("United States", "China"),
    "accessibility": ("closed", "open"),
}
"""Default (leader, challenger) per grouping; ``organization`` has none."""

POINT_COLUMNS = ("side", "unit", "model_id", "model", "version", "date", "value", "sd", "snapshot")
"""Columns of ``Points.frame``."""

_SPLIT = re.compile(r"\s*[,|]\s*")


@dataclass(frozen=True)
class Groups:
    """The two groups compared: how models are grouped and which labels are on each side.

    Parameters
    ----------
    by
        ``country``, ``accessibility`` or ``organization``.
    leader, challenger
        Labels of each side; several labels form one group (e.g. a list of labs).
    countries
        ``primary`` (default) or ``all``: how models of several countries count.
    """

    by: GroupBy = "country"
    leader: tuple[str, ...] = ("United States",)
    challenger: tuple[str, ...] = ("China",)
    countries: CountryRule = "primary"

    @property
    def leader_label(self) -> str:
        """Return the leader's display label (labels joined by `` + ``)."""
        return " + ".join(self.leader)

    @property
    def challenger_label(self) -> str:
        """Return the challenger's display label."""
        return " + ".join(self.challenger)

    def swapped(self) -> Groups:
        """Return the same groups with leader and challenger exchanged."""
        return Groups(self.by, self.challenger, self.leader, self.countries)


@dataclass(frozen=True, eq=False)
class Points:
    """Frontier points of one metric for a leader and a challenger, as of a date.

    ``frame`` has ``POINT_COLUMNS``, one row per counted (model, version) point, sorted by
    snapshot, side, date, descending value, model and version; ``unit`` numbers the models
    (the bootstrap unit: one model within one side).
    """

    frame: pd.DataFrame
    metric: str
    leader: str
    challenger: str
    as_of: pd.Timestamp
    snapshots: bool
    settings: dict[str, object] = field(default_factory=dict)

    def side(self, side: str) -> pd.DataFrame:
        """Return the points of ``leader`` or ``challenger``."""
        return self.frame.loc[self.frame["side"] == side]

    def n_models(self, side: str) -> int:
        """Return the number of distinct models on one side."""
        return int(self.side(side)["model_id"].nunique())

    def label(self, side: str) -> str:
        """Return the group label of ``leader`` or ``challenger``."""
        return self.leader if side == LEADER else self.challenger


_BAR = re.compile(r"\s*\|\s*")


def _label_source(rows: pd.DataFrame, groups: Groups) -> tuple[pd.Series, re.Pattern[str] | None]:
    """Return the column holding each row's group label(s) and how to split it."""
    if groups.by == "country":
        if groups.countries == "all":
            return rows["countries"].astype("string").fillna(rows["country"]), _BAR
        return rows["country"], None
    if groups.by == "accessibility":
        return rows["accessibility"], None
    return rows["organization"], _SPLIT


def _split(value: str, pattern: re.Pattern[str] | None) -> list[str]:
    parts = pattern.split(value) if pattern is not None else [value]
    return [p.strip() for p in parts if p.strip()]


def _members(rows: pd.DataFrame, groups: Groups, wanted: tuple[str, ...]) -> npt.NDArray[np.bool_]:
    """Say which rows carry one of the ``wanted`` labels (string work once per value)."""
    values, pattern = _label_source(rows, groups)
    codes, uniques = pd.factorize(values)
    keys = {w.strip().casefold() for w in wanted}
    hit = np.array(
        [any(p.casefold() in keys for p in _split(str(u), pattern)) for u in uniques] + [False],
        dtype=bool,
    )
    out: npt.NDArray[np.bool_] = hit[codes]  # code -1 (missing) picks the final False
    return out


def group_values(rows: pd.DataFrame, groups: Groups) -> list[str]:
    """Return the group labels present in ``rows`` for this grouping (for messages)."""
    values, pattern = _label_source(rows, groups)
    found = {p for u in pd.unique(values.dropna()) for p in _split(str(u), pattern)}
    return sorted(found, key=str.casefold)


def assign_groups(rows: pd.DataFrame, groups: Groups) -> pd.DataFrame:
    """Return ``rows`` with a ``side`` column; rows in neither group are dropped.

    A row in both groups appears twice, once per side.
    """
    parts = [
        rows.loc[_members(rows, groups, wanted)].assign(side=side)
        for side, wanted in ((LEADER, groups.leader), (CHALLENGER, groups.challenger))
    ]
    return pd.concat(parts, ignore_index=True)


def _codes(values: pd.Series) -> npt.NDArray[np.int64]:
    """Return sort-order integer codes of a column (missing values first)."""
    codes = pd.factorize(values, sort=True)[0].astype(np.int64)
    return codes


def make_points(
    rows: pd.DataFrame,
    groups: Groups,
    *,
    metric: str,
    as_of: pd.Timestamp,
    settings: dict[str, object] | None = None,
) -> Points:
    """Group metric rows and collapse duplicate versions into frontier points.

    Parameters
    ----------
    rows
        Metric rows (``points.metric_rows``).
    groups
        The two groups.
    metric
        Metric name, carried into every output.
    as_of
        The date the rows were selected for; also the end of forward lags.
    settings
        Selection settings to carry into outputs.
    """
    frame = assign_groups(rows, groups)
    snapshots = bool(rows["snapshot"].notna().any())
    side = (frame["side"].to_numpy() == CHALLENGER).astype(np.int64)
    model_id, version, model = (_codes(frame[c]) for c in ("model_id", "version", "model"))
    value = frame["value"].to_numpy(dtype=np.float64)
    snap = to_days(frame["snapshot"]) if snapshots else np.zeros(len(frame), dtype=np.int64)
    unit_key = side * (model_id.max(initial=0) + 1) + model_id
    if snapshots:
        # One rating per model and snapshot (the best); each model at its earliest date.
        first = pd.Series(to_days(frame["date"])).groupby(unit_key).transform("min")
        frame["date"] = pd.to_datetime(first.to_numpy(), unit="D").astype("datetime64[s]")
        order = np.lexsort((version, -value, snap, unit_key))
        key = np.stack([unit_key[order], snap[order]])
        keep = order[np.r_[True, (np.diff(key, axis=1) != 0).any(axis=0)]]
    else:
        # Per model, keep each version that beats every earlier one (a running best).
        date = to_days(frame["date"])
        order = np.lexsort((version, -value, date, unit_key))
        group = np.r_[0, np.cumsum(np.diff(unit_key[order]) != 0)]
        v = value[order]
        span = (np.nanmax(v) - np.nanmin(v) + 1.0) if v.size else 1.0
        shifted = v + group * span  # segmented running max: each model in its own band
        best = np.maximum.accumulate(shifted) - group * span
        new_model = np.r_[True, group[1:] != group[:-1]]
        previous = np.r_[np.nan, best[:-1]]
        keep = order[new_model | (v > previous)]
    frame = frame.iloc[keep]
    k_side, k_snap, k_value = side[keep], snap[keep], value[keep]
    final = np.lexsort(
        (version[keep], model[keep], -k_value, to_days(frame["date"]), k_side, k_snap)
    )
    frame = frame.iloc[final].reset_index(drop=True)
    frame["unit"] = np.unique(unit_key[keep][final], return_inverse=True)[1].astype(np.int64)
    return Points(
        frame.loc[:, list(POINT_COLUMNS)],
        metric,
        groups.leader_label,
        groups.challenger_label,
        pd.Timestamp(as_of),
        snapshots,
        dict(settings or {}),
    )


def evaluation_dates(
    points: Points,
    freq: Literal["monthly", "daily"] = "monthly",
    *,
    since: pd.Timestamp | None = None,
    include_as_of: bool = True,
    require_both: bool = True,
) -> pd.DatetimeIndex:
    """Return the dates a series is evaluated on.

    From the first day both sides have a point (``require_both``; for snapshot metrics: the
    first snapshot holding both), else the first day either has one, or ``since`` if
    later, to ``as_of``. ``monthly``: month ends, plus ``as_of`` itself when it is not a
    month end and ``include_as_of``; ``daily``: every day.
    """
    frame = points.frame
    column = "snapshot" if points.snapshots else "date"
    firsts = [frame.loc[frame["side"] == s, column].min() for s in (LEADER, CHALLENGER)]
    if points.snapshots and require_both:
        both = frame.groupby("snapshot")["side"].nunique()
        firsts = [both.index[both == 2].min()] if (both == 2).any() else [pd.NaT]
    if not require_both:
        firsts = [min((f for f in firsts if not pd.isna(f)), default=pd.NaT)]
    if any(pd.isna(f) for f in firsts):
        return pd.DatetimeIndex([])
    start = max(pd.Timestamp(f) for f in firsts)
    if since is not None:
        start = max(start, pd.Timestamp(since))
    end = points.as_of
    if start > end:
        return pd.DatetimeIndex([])
    if freq == "daily":
        return pd.date_range(start, end, freq="D")
    dates = pd.date_range(start, end, freq="ME")
    if include_as_of and (len(dates) == 0 or dates[-1] != end):
        dates = pd.DatetimeIndex(dates.append(pd.DatetimeIndex([end])))
    return dates


def frontier(points: Points, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Return both sides' frontiers on ``dates`` (the point estimate).

    Returns
    -------
    pandas.DataFrame
        Indexed by date; ``leader`` and ``challenger`` hold ``F(t)`` (``NaN`` before a
        side's first model), ``leader_model`` / ``challenger_model`` the model at the
        frontier (ties: see the module docstring), ``*_date`` its release (availability)
        date. LMArena values are those of the snapshot in force on each date.
    """
    frame = points.frame
    values = frame["value"].to_numpy(dtype=np.float64)[None, :]
    ev = evaluate(
        frame,
        values,
        to_days(dates),
        int(to_days(pd.DatetimeIndex([points.as_of]))[0]),
        points.snapshots,
    )
    out = pd.DataFrame(
        {LEADER: ev.leader[0], CHALLENGER: ev.challenger[0]},
        index=pd.DatetimeIndex(dates, name="date"),
    )
    for side, rows in ((LEADER, ev.leader_row[0]), (CHALLENGER, ev.challenger_row[0])):
        ok = rows >= 0
        for column in ("model", "date"):
            picked = frame[column].to_numpy()[np.clip(rows, 0, None)] if len(frame) else rows
            out[f"{side}_{column}"] = pd.Series(picked, index=out.index).where(ok)
    return out


def monthly_frontiers(points: Points, *, since: pd.Timestamp | None = None) -> pd.DataFrame:
    """Return both sides' frontiers at every month end up to ``as_of``.

    The input the forecast model starts from: month ends only (``as_of`` itself is not
    appended), from the first month end either side has a model (or ``since``); a side
    is ``NaN`` before its first model. See ``frontier`` for the columns.
    """
    dates = evaluation_dates(
        points, "monthly", since=since, include_as_of=False, require_both=False
    )
    return frontier(points, dates)


def frontier_steps(points: Points) -> pd.DataFrame:
    """Return the history of frontier steps: each model that raised its group's frontier.

    Returns
    -------
    pandas.DataFrame
        Columns ``side``, ``group``, ``date``, ``model``, ``model_id``, ``version``,
        ``value``, ``previous`` (frontier before the step, ``NaN`` for a side's first model)
        and ``step`` (``value - previous``), sorted by side and date. For LMArena the steps
        are those within the latest snapshot (its ratings, models at availability dates).
    """
    frame = points.frame
    if points.snapshots and len(frame):
        frame = frame.loc[frame["snapshot"] == frame["snapshot"].max()]
    side = frame["side"].to_numpy()
    value = frame["value"].to_numpy(dtype=np.float64)
    keep = np.zeros(len(frame), dtype=bool)
    previous = np.full(len(frame), np.nan)
    for name in (LEADER, CHALLENGER):
        rows = np.flatnonzero(side == name)
        if rows.size == 0:
            continue
        best = np.maximum.accumulate(value[rows])
        before = np.concatenate([[np.nan], best[:-1]])
        keep[rows] = np.isnan(before) | (value[rows] > before)
        previous[rows] = before
    steps = frame.loc[keep, ["side", "date", "model", "model_id", "version", "value"]].copy()
    steps["previous"] = previous[keep]
    steps["step"] = steps["value"] - steps["previous"]
    steps.insert(1, "group", np.where(side[keep] == LEADER, points.leader, points.challenger))
    order = np.argsort(np.where(side[keep] == LEADER, 0, 1), kind="stable")
    return steps.iloc[order].reset_index(drop=True)
