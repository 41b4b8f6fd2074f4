"""The array engine behind frontiers, gaps and lags (private; see ``gaps`` for the maths).

Arrays follow the axis rule of the project: draws first, then periods (evaluation dates).
A draw is one row of a ``(D, P)`` matrix of point values aligned with ``Points.frame``; an
absent point (a model left out of a bootstrap resample) is ``-inf``. Dates are integer days
since 1970-01-01. The point estimate is the single draw ``D = 1`` holding the data.

Everything is vectorised over draws and dates: the only Python loop is over LMArena
snapshots, because ratings may only be compared within one snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

DAYS_PER_MONTH = 365.25 / 12
"""Days in an average month: lags in months are ``days / DAYS_PER_MONTH``."""

LEADER = "leader"
CHALLENGER = "challenger"


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Frontiers and lags of both sides at each evaluation date, for each draw.

    Every array has shape ``(D, T)``. Frontier values are ``NaN`` before a side has any
    model; ``*_row`` is the row of ``Points.frame`` holding the frontier model (``-1`` when
    none); lags are ``NaN`` where either side has no model yet.
    """

    leader: F64
    challenger: F64
    leader_row: I64
    challenger_row: I64
    lag: F64
    lag_censored: B
    lag_forward: F64
    lag_forward_censored: B


def to_days(dates: pd.Series | pd.DatetimeIndex | npt.NDArray[np.datetime64]) -> I64:
    """Return dates as integer days since 1970-01-01."""
    return np.asarray(dates, dtype="datetime64[D]").astype(np.int64)


def running_max(values: F64) -> F64:
    """Return the running maximum along the point axis: the frontier after each point."""
    if values.shape[1] == 0:
        return values.copy()
    out: F64 = np.maximum.accumulate(values, axis=1)
    return out


def value_at(dates: I64, cum: F64, at: I64) -> F64:
    """Return the frontier ``cum`` (points sorted by ``dates``) on each day of ``at``.

    ``F(t) = cum[k]`` with ``k`` the last point dated on or before ``t``; ``-inf`` if none.
    """
    idx = np.searchsorted(dates, at, side="right") - 1
    out = np.full((cum.shape[0], at.size), -np.inf)
    ok = idx >= 0
    if ok.any():
        out[:, ok] = cum[:, idx[ok]]
    return out


def first_reach(cum: F64, level: F64) -> I64:
    """Return, per row, the first index where the non-decreasing ``cum`` reaches ``level``.

    ``k[d, t] = min{k : cum[d, k] >= level[d, t]}``, or ``P`` when never. One
    ``searchsorted`` serves every row at once, on exact integer keys: a value of ``cum`` is
    replaced by its rank among the distinct finite values of ``cum`` (``-inf`` below every
    rank), a level by the number of those values below it, so ``cum >= level`` exactly when
    the rank is at least the level's; each row's keys are then shifted into their own
    disjoint band (``row * span``), so the flattened matrix stays sorted. A level of
    ``-inf`` is reached at ``k = 0``.
    """
    n_draws, n_points = cum.shape
    finite = np.isfinite(cum)
    if n_points == 0 or not finite.any():
        return np.where(level == -np.inf, 0, n_points).astype(np.int64)
    values = np.unique(cum[finite])
    span = values.size + 2
    cum_key = np.zeros(cum.shape, dtype=np.int64)
    cum_key[finite] = np.searchsorted(values, cum[finite]) + 1
    level_key = np.searchsorted(values, level, side="left").astype(np.int64) + 1
    level_key[level == -np.inf] = 0
    band = np.arange(n_draws, dtype=np.int64)[:, None] * span
    flat = np.searchsorted((cum_key + band).ravel(), (level_key + band).ravel(), side="left")
    k = flat.reshape(level.shape) - np.arange(n_draws)[:, None] * n_points
    out: I64 = np.clip(k, 0, n_points).astype(np.int64)
    return out


def _first_present(dates: I64, cum: F64) -> I64:
    """Return each draw's earliest date with a model present (its history's start)."""
    out: I64 = dates[np.argmax(np.isfinite(cum), axis=1)]
    return out


def evaluate_flat(
    l_dates: I64,
    l_values: F64,
    c_dates: I64,
    c_values: F64,
    at: I64,
    end: int,
    with_rows: bool = True,
) -> tuple[F64, F64, I64, I64, F64, B, F64, B]:
    """Evaluate both frontiers and both lags on one comparable scale.

    Parameters
    ----------
    l_dates, c_dates
        Point dates of each side, ascending.
    l_values, c_values
        ``(D, P)`` point values (``-inf`` for an absent point).
    at
        Evaluation days ``t``.
    end
        Last day of data (``as_of``): forward lags not reached by then are censored there.
    with_rows
        Also find which point holds each frontier (else ``-1``).

    Returns
    -------
    tuple
        Leader and challenger frontiers, their rows (local indices, ``-1`` none), the
        backward lag and its censoring, the forward lag and its censoring.
    """
    n_draws = l_values.shape[0]
    shape = (n_draws, at.size)
    l_cum, c_cum = running_max(l_values), running_max(c_values)
    lead, chal = value_at(l_dates, l_cum, at), value_at(c_dates, c_cum, at)
    both = np.isfinite(lead) & np.isfinite(chal)
    level = chal >= lead
    l_row = c_row = np.full(shape, -1, dtype=np.int64)
    if with_rows:  # which model holds each frontier: only the point estimate needs it
        l_row = np.where(np.isfinite(lead), first_reach(l_cum, lead), -1)
        c_row = np.where(np.isfinite(chal), first_reach(c_cum, chal), -1)
    if not both.any():
        nan = np.full(shape, np.nan)
        none = np.zeros(shape, dtype=bool)
        return lead, chal, l_row, c_row, nan, none, nan.copy(), none.copy()

    # Backward: t - (first day the leader's frontier reached C(t)).
    k = first_reach(l_cum, np.where(both, chal, -np.inf))
    reached = l_dates[np.clip(k, 0, l_dates.size - 1)]
    back_days = np.where(level, 0, at[None, :] - reached)
    back = np.where(both, back_days / DAYS_PER_MONTH, np.nan)
    start = _first_present(l_dates, l_cum)[:, None]
    back_cens = both & ~level & (reached == start)

    # Forward: (first day the challenger's frontier reached L(t)) - t.
    kf = first_reach(c_cum, np.where(both, lead, -np.inf))
    never = kf >= c_dates.size
    reached_f = c_dates[np.clip(kf, 0, c_dates.size - 1)]
    fwd_days = np.where(level, 0, np.where(never, end - at[None, :], reached_f - at[None, :]))
    fwd = np.where(both, fwd_days / DAYS_PER_MONTH, np.nan)
    fwd_cens = both & ~level & never
    return lead, chal, l_row, c_row, back, back_cens, fwd, fwd_cens


def evaluate(
    frame: pd.DataFrame,
    values: F64,
    at: I64,
    end: int,
    snapshots: bool,
    with_rows: bool = True,
) -> Evaluation:
    """Evaluate frontiers and lags of ``Points.frame`` with point values ``values``.

    For snapshot metrics (LMArena) each date ``t`` uses the latest snapshot ``s <= t``:
    frontiers and the backward lag are computed within ``s`` and evaluated at ``s`` (ratings
    of ``s``, models placed at their availability dates); the forward lag is computed within
    the latest snapshot of all, where later models are rated. Nothing compares ratings across
    snapshots.
    """
    side = frame["side"].to_numpy()
    dates = to_days(frame["date"])
    if not snapshots:
        return _pack(
            evaluate_flat(*_sides(side, dates, values, None), at, end, with_rows),
            *_row_maps(side, None),
        )
    snaps = np.unique(to_days(frame["snapshot"]))
    snap_of_row = to_days(frame["snapshot"])
    which = np.searchsorted(snaps, at, side="right") - 1
    shape = (values.shape[0], at.size)
    out = {name: np.full(shape, np.nan) for name in ("lead", "chal", "back", "fwd")}
    rows = {name: np.full(shape, -1, dtype=np.int64) for name in ("l", "c")}
    back_cens = np.zeros(shape, dtype=bool)
    for j in np.unique(which[which >= 0]):
        mask = snap_of_row == snaps[j]
        res = evaluate_flat(
            *_sides(side, dates, values, mask), np.array([snaps[j]]), int(snaps[j]), with_rows
        )
        cols = which == j
        l_map, c_map = _row_maps(side, mask)
        out["lead"][:, cols], out["chal"][:, cols] = _finite(res[0]), _finite(res[1])
        rows["l"][:, cols] = _map_rows(l_map, res[2])
        rows["c"][:, cols] = _map_rows(c_map, res[3])
        out["back"][:, cols], back_cens[:, cols] = res[4], res[5]
    final = snap_of_row == snaps[-1]
    res = evaluate_flat(*_sides(side, dates, values, final), at, end, with_rows=False)
    fwd = np.where(which >= 0, res[6], np.nan)
    fwd_cens = res[7] & (which >= 0)
    return Evaluation(
        out["lead"], out["chal"], rows["l"], rows["c"], out["back"], back_cens, fwd, fwd_cens
    )


def _finite(values: F64) -> F64:
    return np.where(np.isfinite(values), values, np.nan)


def _sides(
    side: npt.NDArray[np.object_], dates: I64, values: F64, mask: B | None
) -> tuple[I64, F64, I64, F64]:
    lead, chal = side == LEADER, side == CHALLENGER
    if mask is not None:
        lead, chal = lead & mask, chal & mask
    return dates[lead], values[:, lead], dates[chal], values[:, chal]


def _row_maps(side: npt.NDArray[np.object_], mask: B | None) -> tuple[I64, I64]:
    lead, chal = side == LEADER, side == CHALLENGER
    if mask is not None:
        lead, chal = lead & mask, chal & mask
    return np.flatnonzero(lead).astype(np.int64), np.flatnonzero(chal).astype(np.int64)


def _pack(res: tuple[F64, F64, I64, I64, F64, B, F64, B], l_map: I64, c_map: I64) -> Evaluation:
    lead, chal, l_row, c_row, back, back_cens, fwd, fwd_cens = res
    return Evaluation(
        _finite(lead),
        _finite(chal),
        _map_rows(l_map, l_row),
        _map_rows(c_map, c_row),
        back,
        back_cens,
        fwd,
        fwd_cens,
    )


def _map_rows(row_map: I64, local: I64) -> I64:
    """Turn a side's local point indices into frame rows (``-1`` stays ``-1``)."""
    if row_map.size == 0:
        return np.full(local.shape, -1, dtype=np.int64)
    out: I64 = np.where(local >= 0, row_map[np.clip(local, 0, row_map.size - 1)], -1)
    return out
