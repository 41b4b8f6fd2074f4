"""Gaps between two frontiers: in points, in percent and in months of lag, with summaries.

With ``L(t)`` the leader's frontier and ``C(t)`` the challenger's (``frontier``):

Gap in points
    ``G(t) = L(t) - C(t)``; swapping the sides negates it.
Relative gap (rating scales)
    ``R(t) = (L(t) - C(t)) / C(t) x 100``.
Lag in months, backward (the primary method)
    ``lag(t) = t - min{tau : L(tau) >= C(t)}``, in months of ``365.25 / 12`` days; ``0``
    when ``C(t) >= L(t)``. How long ago the leader was where the challenger is now. When the
    minimum is the leader's first recorded model, the true crossing may be earlier than the
    data: the lag is **censored** (a lower bound) and flagged.
Lag in months, forward (the alternative)
    ``lag_f(t) = min{tau >= t : C(tau) >= L(t)} - t``: how long after ``t`` the challenger
    reached the leader's level at ``t``. Not reached by ``as_of``: censored at
    ``as_of - t``. Near ``as_of`` it is almost always censored; published "months behind"
    figures differ mostly by which of the two they use.

LMArena
    Ratings are only comparable within one snapshot, so each date's frontiers, gap and
    backward lag come from the latest snapshot ``s <= t`` alone, with models placed on the
    time axis at their availability dates (``points``) and the lag measured at ``s``; the
    forward lag uses the latest snapshot, the only one that rates the later models.

Summaries
    The current values (at ``as_of``), mean / min / max backward lag over the series, the
    trend of the gap and of the lag over the last 12 months (ordinary least squares on the
    series, see ``gapcast.measure.trend``), and when the challenger first matched a reference model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from gapcast.errors import InsufficientDataError
from gapcast.measure._engine import (
    CHALLENGER,
    DAYS_PER_MONTH,
    LEADER,
    Evaluation,
    evaluate,
    to_days,
)
from gapcast.measure.frontier import Points, evaluation_dates, frontier_steps
from gapcast.measure.results import (
    LAG_FORWARD_METHOD,
    LAG_METHOD,
    FrontierModel,
    GapResult,
    Interval,
    Lag,
    LagSummary,
    Match,
    SeriesRow,
    Step,
    day,
    num,
)
from gapcast.measure.trend import ols_trend
from gapcast.measure.uncertainty import draw_values, nanmean_rows, percentile_interval

F64 = npt.NDArray[np.float64]

MATCH_METHOD = (
    "first challenger model (earliest release) scoring at or above the reference "
    "model's best score; months after the reference reached that score"
)


@dataclass(frozen=True)
class Reference:
    """A reference model's score for ``first_match``."""

    name: str
    version: str | None
    score: float
    date: pd.Timestamp | None


def evaluate_points(
    points: Points, dates: pd.DatetimeIndex, values: F64 | None = None
) -> Evaluation:
    """Evaluate frontiers and lags on ``dates`` for the data (or for ``(D, P)`` draws).

    The frontier models (``*_row``) are found for the data only; draws leave them ``-1``.
    """
    end = int(to_days(pd.DatetimeIndex([points.as_of]))[0])
    with_rows = values is None
    if values is None:
        values = points.frame["value"].to_numpy(dtype=np.float64)[None, :]
    return evaluate(points.frame, values, to_days(dates), end, points.snapshots, with_rows)


def gap_series(points: Points, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Return the point-estimate series on ``dates``.

    Columns ``leader``, ``challenger``, ``gap_points``, ``relative_gap_pct``,
    ``lag_months``, ``lag_censored``, ``lag_forward_months``, ``lag_forward_censored``.
    """
    ev = evaluate_points(points, dates)
    gap = ev.leader[0] - ev.challenger[0]
    return pd.DataFrame(
        {
            LEADER: ev.leader[0],
            CHALLENGER: ev.challenger[0],
            "gap_points": gap,
            "relative_gap_pct": _relative(gap, ev.challenger[0]),
            "lag_months": ev.lag[0],
            "lag_censored": ev.lag_censored[0],
            "lag_forward_months": ev.lag_forward[0],
            "lag_forward_censored": ev.lag_forward_censored[0],
        },
        index=pd.DatetimeIndex(dates, name="date"),
    )


def _relative(gap: F64, challenger: F64) -> F64:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(challenger != 0, gap / np.abs(challenger) * 100.0, np.nan)
    return np.asarray(out, dtype=np.float64)


def find_reference(rows: pd.DataFrame, name: str) -> Reference | None:
    """Find a reference model in metric rows by version key, display name or model id.

    Tried in order, case-insensitively: a version key (that version's score); a display
    name or model id (the model's best score over its versions); names of the form
    ``"<name> (...)"``, Epoch's dated editions such as ``GPT-4 (Mar 2023)`` (the best
    score over the editions). The score is dated when first reached. For snapshot metrics
    pass the rows of one snapshot. Returns ``None`` when nothing matches.
    """
    key = name.strip().casefold()
    model = rows["model"].astype("string").str.casefold()
    tests = [
        rows["version"].astype("string").str.casefold() == key,
        (model == key) | (rows["model_id"].astype("string").str.casefold() == key),
        model.str.startswith(key + " ("),
    ]
    cand = rows.iloc[:0]
    for test in tests:
        cand = rows.loc[test.fillna(False).astype(bool)]
        if not cand.empty:
            break
    if cand.empty:
        return None
    best = float(cand["value"].max())
    top = cand.loc[cand["value"] == best].sort_values(["date", "version"]).iloc[0]
    return Reference(str(top["model"]), str(top["version"]), best, pd.Timestamp(top["date"]))


def first_match(points: Points, reference: Reference) -> Match:
    """Return the first challenger model at or above the reference score.

    The earliest-released challenger point with ``value >= reference.score`` (same day:
    the higher score); for snapshot metrics within the latest snapshot. ``months_after`` is
    ``(date - reference.date) / (365.25 / 12)``, negative if the challenger was first.
    """
    rows = points.side(CHALLENGER)
    if points.snapshots and len(rows):
        rows = rows.loc[rows["snapshot"] == points.frame["snapshot"].max()]
    hit = rows.loc[rows["value"] >= reference.score].sort_values(
        ["date", "value", "model"], ascending=[True, False, True]
    )
    top = hit.iloc[0] if not hit.empty else None
    months = None
    if top is not None and reference.date is not None:
        months = (pd.Timestamp(top["date"]) - reference.date).days / DAYS_PER_MONTH
    return Match(
        reference=reference.name,
        reference_version=reference.version,
        reference_score=reference.score,
        reference_date=day(reference.date),
        model=None if top is None else str(top["model"]),
        version=None if top is None else str(top["version"]),
        date=None if top is None else day(top["date"]),
        score=None if top is None else float(top["value"]),
        months_after=months,
        method=MATCH_METHOD,
    )


def _hull(bounds: tuple[F64, F64], estimate: F64) -> tuple[F64, F64]:
    """Widen a percentile interval to contain the point estimate.

    A bootstrap over models can only lose a frontier model, never gain one, so the
    resampled frontier is biased low and a percentile interval of a gap or lag can
    exclude the estimate computed on all models (seen on the real ECI data in 2024).
    Reporting an interval that excludes the number beside it would mislead, so gapcast
    reports the smallest interval holding both the percentile interval and the estimate.
    """
    return np.fmin(bounds[0], estimate), np.fmax(bounds[1], estimate)


def _interval(samples: F64 | None, level: float) -> Interval:
    if samples is None:
        return (None, None)
    lo, hi = percentile_interval(samples[:, None], level)
    return (num(lo[0]), num(hi[0]))


def _side_model(
    points: Points, ev: Evaluation, sim: Evaluation | None, side: str, level: float
) -> FrontierModel:
    rows = ev.leader_row if side == LEADER else ev.challenger_row
    values = ev.leader if side == LEADER else ev.challenger
    row = int(rows[0, -1])
    samples = None
    if sim is not None:
        samples = (sim.leader if side == LEADER else sim.challenger)[:, -1]
    info = points.frame.iloc[row] if row >= 0 else None
    return FrontierModel(
        group=points.label(side),
        model=str(info["model"]) if info is not None else None,
        version=str(info["version"]) if info is not None else None,
        date=day(info["date"]) if info is not None else None,
        score=num(values[0, -1]),
        score_ci=_interval(samples, level),
        n_models=points.n_models(side),
        snapshot=day(info["snapshot"]) if info is not None and points.snapshots else None,
    )


def _lag(
    ev_lag: F64,
    ev_cens: npt.NDArray[np.bool_],
    sim_lag: F64 | None,
    sim_cens: npt.NDArray[np.bool_] | None,
    level: float,
    method: str,
    dates: pd.DatetimeIndex,
    i: int,
) -> Lag:
    share = None
    if sim_lag is not None and sim_cens is not None:
        defined = np.isfinite(sim_lag[:, i])
        share = num(sim_cens[defined, i].mean()) if defined.any() else None
    return Lag(
        num(ev_lag[0, i]),
        _interval(None if sim_lag is None else sim_lag[:, i], level),
        bool(ev_cens[0, i]),
        share,
        method,
        day(dates[i]),
    )


def _latest_uncensored(lag: F64, censored: npt.NDArray[np.bool_]) -> int:
    ok = np.flatnonzero(np.isfinite(lag) & ~censored)
    return int(ok[-1]) if ok.size else lag.size - 1


def measure_gap(
    points: Points,
    *,
    rng: np.random.Generator,
    draws: int = 1000,
    since: pd.Timestamp | None = None,
    freq: Literal["monthly", "daily"] = "monthly",
    resample_models: bool | None = None,
    noise: bool = True,
    reference: Reference | None = None,
    relative: bool = True,
    level: float = 0.95,
    trend_months: int = 12,
) -> GapResult:
    """Measure the gap between the two sides of ``points`` as of ``points.as_of``.

    Parameters
    ----------
    points
        Frontier points (``frontier.make_points``).
    rng
        Random generator for the draws (``uncertainty.rng_from_seed``).
    draws
        Number of draws for the intervals; ``0`` gives no intervals.
    since
        First date of the series (default: the first date both sides have a model).
    freq
        ``monthly`` (month ends, then ``as_of``) or ``daily``.
    resample_models
        Bootstrap over models; default: yes, except for snapshot metrics (LMArena).
    noise
        Per-score noise from reported errors and intervals.
    reference
        A model whose score the challenger's first match is reported for.
    relative
        Report the relative gap (rating scales; not for log-compute).
    level
        Interval level.
    trend_months
        Window of the trend.

    Raises
    ------
    InsufficientDataError
        When no date up to ``as_of`` has a model on both sides.
    """
    dates = evaluation_dates(points, freq, since=since)
    if len(dates) == 0:
        raise InsufficientDataError(
            f"{points.metric}: no date up to {points.as_of.date()} has a model from both "
            f"{points.leader} ({points.n_models(LEADER)} models) and {points.challenger} "
            f"({points.n_models(CHALLENGER)} models)",
            hint="check the group labels, --since and --as-of",
        )
    if resample_models is None:
        resample_models = not points.snapshots
    points = _used_snapshots(points, dates)
    ev = evaluate_points(points, dates)
    sim = None
    if draws > 0:
        sim = evaluate_points(
            points,
            dates,
            draw_values(points, draws, rng, resample_models=resample_models, noise=noise),
        )
    gap = ev.leader[0] - ev.challenger[0]
    rel = _relative(gap, ev.challenger[0]) if relative else np.full(gap.shape, np.nan)
    gap_lo = gap_hi = lag_lo = lag_hi = fwd_lo = fwd_hi = np.full(gap.shape, np.nan)
    rel_ci: Interval = (None, None)
    mean_ci: Interval = (None, None)
    if sim is not None:
        gap_d = sim.leader - sim.challenger
        gap_lo, gap_hi = _hull(percentile_interval(gap_d, level), gap)
        lag_lo, lag_hi = _hull(percentile_interval(sim.lag, level), ev.lag[0])
        fwd_lo, fwd_hi = _hull(percentile_interval(sim.lag_forward, level), ev.lag_forward[0])
        if relative:
            rel_ci = _interval(_relative(gap_d[:, -1], sim.challenger[:, -1]), level)
        mean_ci = _interval(nanmean_rows(sim.lag), level)
    series = tuple(
        SeriesRow(
            date=d.date(),
            leader=num(ev.leader[0, i]),
            challenger=num(ev.challenger[0, i]),
            leader_model=_name(points, ev.leader_row[0, i]),
            challenger_model=_name(points, ev.challenger_row[0, i]),
            gap_points=num(gap[i]),
            gap_points_ci=(num(gap_lo[i]), num(gap_hi[i])),
            relative_gap_pct=num(rel[i]),
            lag_months=num(ev.lag[0, i]),
            lag_months_ci=(num(lag_lo[i]), num(lag_hi[i])),
            lag_censored=bool(ev.lag_censored[0, i]),
            lag_forward_months=num(ev.lag_forward[0, i]),
            lag_forward_months_ci=(num(fwd_lo[i]), num(fwd_hi[i])),
            lag_forward_censored=bool(ev.lag_forward_censored[0, i]),
            snapshot=_snapshot(points, ev.leader_row[0, i]),
        )
        for i, d in enumerate(dates)
    )
    lags = ev.lag[0]
    defined = np.isfinite(lags)
    summary = LagSummary(
        since=day(dates[0]),
        until=day(dates[-1]),
        mean=num(lags[defined].mean()) if defined.any() else None,
        mean_ci=mean_ci,
        min=num(lags[defined].min()) if defined.any() else None,
        max=num(lags[defined].max()) if defined.any() else None,
        censored_dates=int(ev.lag_censored[0].sum()),
        method=LAG_METHOD,
    )
    steps = frontier_steps(points)
    return GapResult(
        metric=points.metric,
        as_of=points.as_of.date(),
        leader=_side_model(points, ev, sim, LEADER, level),
        challenger=_side_model(points, ev, sim, CHALLENGER, level),
        gap_points=num(gap[-1]),
        gap_points_ci=(num(gap_lo[-1]), num(gap_hi[-1])),
        relative_gap_pct=num(rel[-1]),
        relative_gap_pct_ci=rel_ci,
        lag=_lag(
            ev.lag,
            ev.lag_censored,
            None if sim is None else sim.lag,
            None if sim is None else sim.lag_censored,
            level,
            LAG_METHOD,
            dates,
            -1,
        ),
        lag_forward=_lag(
            ev.lag_forward,
            ev.lag_forward_censored,
            None if sim is None else sim.lag_forward,
            None if sim is None else sim.lag_forward_censored,
            level,
            LAG_FORWARD_METHOD,
            dates,
            _latest_uncensored(ev.lag_forward[0], ev.lag_forward_censored[0]),
        ),
        lag_summary=summary,
        trend=ols_trend(dates, gap, end=points.as_of, months=trend_months, level=level),
        lag_trend=ols_trend(
            dates, lags, end=points.as_of, months=trend_months, level=level, quantity="lag_months"
        ),
        series=series,
        steps=tuple(
            Step(
                side=str(r.side),
                group=str(r.group),
                date=day(r.date),
                model=str(r.model),
                version=str(r.version),
                score=num(r.value),
                previous=num(r.previous),
            )
            for r in steps.itertuples()
        ),
        match=first_match(points, reference) if reference is not None else None,
        uncertainty={
            "draws": draws,
            "level": level,
            "resample_models": resample_models,
            "noise": noise,
            "method": _uncertainty_method(draws, resample_models, noise, level),
        },
        settings=dict(points.settings),
    )


def _used_snapshots(points: Points, dates: pd.DatetimeIndex) -> Points:
    """Keep only the snapshots some date uses, and the latest (fewer points to draw)."""
    if not points.snapshots:
        return points
    snap = to_days(points.frame["snapshot"])
    snaps = np.unique(snap)
    which = np.searchsorted(snaps, to_days(dates), side="right") - 1
    used = np.union1d(snaps[which[which >= 0]], snaps[-1:])
    return replace(points, frame=points.frame.loc[np.isin(snap, used)].reset_index(drop=True))


def _name(points: Points, row: np.int64) -> str | None:
    return str(points.frame["model"].iat[int(row)]) if row >= 0 else None


def _snapshot(points: Points, row: np.int64) -> dt.date | None:
    if not points.snapshots or row < 0:
        return None
    return day(points.frame["snapshot"].iat[int(row)])


def _uncertainty_method(draws: int, resample_models: bool, noise: bool, level: float) -> str:
    if draws <= 0:
        return "none (no draws)"
    parts = []
    if resample_models:
        parts.append("bootstrap over models within each group")
    if noise:
        parts.append("per-score noise from reported standard errors / 95% intervals")
    what = " and ".join(parts) if parts else "no perturbation"
    return f"{round(level * 100)}% percentile intervals over {draws} draws: {what}"
