"""Measure every metric, United States vs China, with a 1,000-draw bootstrap, against a
plain per-date loop.

Timed (``gapcast``): for every metric in the store (ECI, LMArena overall, each benchmark,
training compute), select its rows, group and collapse them, and run ``measure_gap``:
monthly frontiers of both groups, the gap, both lags, their summaries, and 1,000 draws
(bootstrap over models and per-score noise) giving every interval. Loading the store and
resolving models are not timed (they are the data stage's, see ``bench_import.py``).

Baseline: the same frontiers, gaps and backward lags written as plainly as possible, a
Python loop over draws and dates with a boolean mask and ``max`` per group (the way one
would write it first). It runs on the same draws, so its answers are checked against the
vectorised ones. Being linear in the number of draws, it runs on ``BASE_DRAWS`` draws and
its time is scaled to 1,000 draws for the ratio (the script says so when it prints).

Target: all metrics in under 2 s on 2 cores.

Usage: python benchmarks/bench_measure.py [DATA_DIR | STORE.duckdb]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from gapcast import measure
from gapcast.errors import InsufficientDataError
from gapcast.measure.gaps import evaluate_points
from gapcast.resolve import resolve
from gapcast.store import Store
from gapcast.usecases.measure import metric_info

DRAWS = 1000
BASE_DRAWS = 20
SEED = 1


def _source() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    return Path(
        os.environ.get("GAPCAST_DATA")
        or Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )


def load(source: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    if source.suffix == ".duckdb":
        with Store(source, read_only=True) as store:
            res = resolve(
                store.table("models"), store.table("scores"), store.table("organizations")
            )
        return res.scores, res.models
    from gapcast.usecases.data import import_paths

    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.duckdb") as store:
        import_paths(store, [source])
        res = resolve(store.table("models"), store.table("scores"), store.table("organizations"))
    return res.scores, res.models


def prepare(scores: pd.DataFrame, models: pd.DataFrame, metric: str) -> measure.Points:
    rows = measure.metric_rows(scores, models, measure.Selection(metric), _AS_OF[metric])
    factor = metric_info(metric).factor
    rows = rows.assign(value=rows["value"] * factor, sd=rows["sd"] * factor)
    return measure.make_points(rows, measure.Groups(), metric=metric, as_of=_AS_OF[metric])


_AS_OF: dict[str, pd.Timestamp] = {}


def gapcast_all(scores: pd.DataFrame, models: pd.DataFrame, metrics: list[str]) -> float:
    start = time.perf_counter()
    for metric in metrics:
        points = prepare(scores, models, metric)
        measure.measure_gap(
            points,
            rng=measure.rng_from_seed(SEED),
            draws=DRAWS,
            relative=metric != measure.TRAINING_COMPUTE,
        )
    return time.perf_counter() - start


def plain_loop(
    points: measure.Points, values: np.ndarray, dates: pd.DatetimeIndex
) -> tuple[np.ndarray, np.ndarray]:
    """Gap and backward lag per draw and date, with loops (the baseline)."""
    frame = points.frame
    side = frame["side"].to_numpy()
    when = frame["date"].to_numpy()
    snap = frame["snapshot"].to_numpy()
    snaps = np.unique(snap[~pd.isna(snap)]) if points.snapshots else None
    gap = np.full((values.shape[0], len(dates)), np.nan)
    lag = gap.copy()
    for d in range(values.shape[0]):
        for j, t in enumerate(dates.to_numpy()):
            scope = np.ones(len(frame), dtype=bool)
            at = t
            if snaps is not None:
                earlier = snaps[snaps <= t]
                if earlier.size == 0:
                    continue
                at = earlier[-1]
                scope = snap == at
            ok = scope & (when <= at) & np.isfinite(values[d])
            lead, chal = ok & (side == "leader"), ok & (side == "challenger")
            if not lead.any() or not chal.any():
                continue
            best_lead, best_chal = values[d, lead].max(), values[d, chal].max()
            gap[d, j] = best_lead - best_chal
            if best_chal >= best_lead:
                lag[d, j] = 0.0
                continue
            running = -np.inf
            for i in np.flatnonzero(scope & (side == "leader") & np.isfinite(values[d])):
                running = max(running, values[d, i])
                if running >= best_chal:
                    lag[d, j] = (pd.Timestamp(at) - pd.Timestamp(when[i])).days / (365.25 / 12)
                    break
    return gap, lag


def baseline_all(scores: pd.DataFrame, models: pd.DataFrame, metrics: list[str]) -> float:
    elapsed = 0.0
    for metric in metrics:
        points = prepare(scores, models, metric)
        dates = measure.evaluation_dates(points, "monthly")
        values = measure.draw_values(
            points, BASE_DRAWS, measure.rng_from_seed(SEED), resample_models=not points.snapshots
        )
        start = time.perf_counter()
        gap, lag = plain_loop(points, values, dates)
        elapsed += time.perf_counter() - start
        ev = evaluate_points(points, dates, values)
        np.testing.assert_allclose(ev.leader - ev.challenger, gap, err_msg=metric)
        np.testing.assert_allclose(ev.lag, lag, err_msg=metric)
    return elapsed


def main() -> None:
    source = _source()
    scores, models = load(source)
    metrics = []
    for metric in measure.known_metrics(scores):
        if metric == measure.TRAINING_COMPUTE:
            latest = models["release_date"].max()
        else:
            rows = scores.loc[scores["metric"] == metric]
            latest = rows["as_of"].fillna(rows["release_date"]).max()
        _AS_OF[metric] = pd.Timestamp(latest)
        try:
            points = prepare(scores, models, metric)
            measure.measure_gap(points, rng=measure.rng_from_seed(SEED), draws=2)
        except InsufficientDataError:
            continue
        metrics.append(metric)
    skipped = len(measure.known_metrics(scores)) - len(metrics)
    fast = min(gapcast_all(scores, models, metrics) for _ in range(3))
    slow = baseline_all(scores, models, metrics) * DRAWS / BASE_DRAWS
    print(f"data: {source}")
    print(
        f"{len(metrics)} metrics with models on both sides ({skipped} skipped: one side "
        "has none), United States vs China, monthly series, "
        f"{DRAWS} draws each"
    )
    print(f"gapcast (select, group, frontiers, gaps, lags, {DRAWS}-draw intervals): {fast:.3f} s")
    print(
        f"plain per-date loop (gap and backward lag only; {BASE_DRAWS} draws, timed and "
        f"scaled x{DRAWS // BASE_DRAWS} to {DRAWS}; answers checked equal): {slow:.1f} s"
    )
    print(f"ratio baseline / gapcast: {slow / fast:.0f}x  (target: gapcast < 2 s)")


if __name__ == "__main__":
    main()
