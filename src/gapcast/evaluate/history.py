r"""What was known at a backtest origin: both sides' monthly frontiers, as pure arrays.

A metric's data for the backtest is one ``MetricData``: every counted frontier point of
both sides (side, availability day, value and, for a leaderboard such as LMArena, the
snapshot it was read from). ``known_at(data, month)`` returns the frontiers as they were
known at the end of that month:

- on a release-dated metric (ECI, benchmarks, training compute) the frontier at month end
  ``m`` is the best value of the side's models available by then, for every ``m`` up to
  the known month (later models are not known yet);
- on a snapshot metric (LMArena) only the latest snapshot taken by the known month is
  known, and the frontier at ``m`` is the best rating *in that snapshot* of the side's
  models available by ``m`` (ratings are comparable only within one snapshot).

Months are integers ``12 * year + month - 1``. From the frontiers ``F_0`` (leader) and
``F_1`` (challenger) come the two backtest targets at month ``t``:

.. math:: \text{gap}(t) = F_0(t) - F_1(t), \qquad
          \text{lag}(t) = t - \min\{m \le t : F_0(m) \ge F_1(t)\},

the lag in whole months (0 when the challenger is level or ahead; censored at the start of
the leader's known history, when its first known month already beats the challenger).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
IntArray = NDArray[np.int64]

LEADER, CHALLENGER = 0, 1


def month_of(day: dt.date) -> int:
    """Return the month number ``12 * year + month - 1`` of a date."""
    return day.year * 12 + day.month - 1


def month_end(month: int) -> dt.date:
    """Return the last day of a month number."""
    y, m = divmod(month + 1, 12)
    return dt.date(y, m + 1, 1) - dt.timedelta(days=1)


def _day(d: dt.date) -> int:
    return d.toordinal()


@dataclass(frozen=True)
class MetricData:
    """Every frontier point of one metric for a leader and a challenger (module docstring).

    Attributes
    ----------
    metric
        The metric's name (``lmarena_style`` for LMArena with style control).
    side
        ``0`` leader, ``1`` challenger, per point.
    day
        The point's availability date as a proleptic ordinal (``date.toordinal``).
    value
        The point's score, in the metric's shown units (percentages for benchmarks).
    snapshot
        The snapshot's ordinal day per point, or ``None`` for a release-dated metric.
    end
        The last day the data covers (the latest release, or the latest snapshot).
    unit
        The unit of a gap (e.g. ``ECI points``).
    """

    metric: str
    side: NDArray[np.int8]
    day: IntArray
    value: Array
    snapshot: IntArray | None
    end: dt.date
    unit: str = "points"

    @property
    def end_month(self) -> int:
        """Return the last month whose end the data covers (``end``'s month if complete)."""
        m = month_of(self.end)
        return m if month_end(m) == self.end else m - 1

    def snapshot_in_force(self, month: int) -> int | None:
        """Return the latest snapshot day on or before the end of ``month`` (or ``None``)."""
        if self.snapshot is None:
            return None
        limit = _day(month_end(month))
        snaps = self.snapshot[self.snapshot <= limit]
        return int(snaps.max()) if snaps.size else None

    def truncated(self, day: dt.date) -> MetricData:
        """Return the data as it stood on ``day``: later points (and snapshots) dropped."""
        limit = _day(day)
        keep = self.day <= limit
        if self.snapshot is not None:
            keep &= self.snapshot <= limit
        return MetricData(
            self.metric,
            self.side[keep],
            self.day[keep],
            self.value[keep],
            None if self.snapshot is None else self.snapshot[keep],
            min(self.end, day),
            self.unit,
        )


@dataclass(frozen=True)
class Known:
    """Both sides' month-end frontiers as known at the end of month ``origin``.

    ``months`` runs from the first month either side had a model to ``origin``; a side is
    ``NaN`` before its first model.
    """

    origin: int
    months: IntArray
    leader: Array
    challenger: Array

    @property
    def gap(self) -> Array:
        """Return the gap at each month (``NaN`` before both sides have a model)."""
        return np.asarray(self.leader - self.challenger, dtype=np.float64)

    @property
    def lag(self) -> Array:
        """Return the lag in months at each month (``NaN`` before both sides have a model)."""
        return lag_series(self.leader, self.challenger)

    def gap_history(self) -> Array:
        """Return the gap from the first month both sides have a model, oldest first."""
        g = self.gap
        return g[np.flatnonzero(np.isfinite(g))[0] :] if np.isfinite(g).any() else g[:0]

    def lag_history(self) -> Array:
        """Return the lag from the first month both sides have a model, oldest first."""
        g = self.lag
        return g[np.flatnonzero(np.isfinite(g))[0] :] if np.isfinite(g).any() else g[:0]

    @property
    def both(self) -> bool:
        """Say whether both sides have a model at the origin."""
        return bool(np.isfinite(self.leader[-1]) and np.isfinite(self.challenger[-1]))


def lag_series(leader: Array, challenger: Array) -> Array:
    """Return ``t - min{m <= t : leader(m) >= challenger(t)}`` per month (module docstring).

    ``leader`` must be non-decreasing where finite (a frontier). Months where either side is
    ``NaN`` give ``NaN``; a challenger level below the leader's first known value gives the
    months since that first value (censored).
    """
    out = np.full(leader.shape, np.nan)
    ok = np.isfinite(leader)
    if not ok.any():
        return out
    first = int(np.flatnonzero(ok)[0])
    run = np.maximum.accumulate(np.where(ok, leader, -np.inf))[first:]
    for t in range(first, leader.size):
        c = challenger[t]
        if not np.isfinite(c):
            continue
        m = int(np.searchsorted(run[: t - first + 1], c, side="left"))
        out[t] = float(max(t - first - m, 0)) if m <= t - first else 0.0
    return out


def known_at(data: MetricData, month: int) -> Known:
    """Return both frontiers as known at the end of ``month`` (module docstring)."""
    limit = _day(month_end(month))
    keep = data.day <= limit
    if data.snapshot is not None:
        snap = data.snapshot_in_force(month)
        keep &= data.snapshot == (snap if snap is not None else -1)
    side, day, value = data.side[keep], data.day[keep], data.value[keep]
    if day.size == 0:
        months = np.array([month], dtype=np.int64)
        nan = np.full(1, np.nan)
        return Known(month, months, nan, nan.copy())
    first = month_of(dt.date.fromordinal(int(day.min())))
    months = np.arange(first, month + 1, dtype=np.int64)
    ends = np.array([_day(month_end(int(m))) for m in months], dtype=np.int64)
    fronts = []
    for s in (LEADER, CHALLENGER):
        d, v = day[side == s], value[side == s]
        order = np.argsort(d, kind="stable")
        d, v = d[order], np.maximum.accumulate(v[order]) if v.size else v
        idx = np.searchsorted(d, ends, side="right") - 1
        fronts.append(np.where(idx >= 0, v[np.clip(idx, 0, None)] if v.size else np.nan, np.nan))
    return Known(month, months, fronts[0], fronts[1])


__all__ = [
    "CHALLENGER",
    "LEADER",
    "Known",
    "MetricData",
    "known_at",
    "lag_series",
    "month_end",
    "month_of",
]
