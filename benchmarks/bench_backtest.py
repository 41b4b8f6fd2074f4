"""Benchmark the full nested backtest on the real data, in parallel and as a plain loop.

Imports the data mirror (``$GAPCAST_DATA`` or ``../shared/data``) into a temporary store
(not timed), then times:

(0) the full nested backtest as ``gapcast backtest --workers N`` runs it the first time on a
    store: every origin from 2023-06, horizons 1, 3, 6 and 12 months, gap and lag, on ECI (the
    tuning metric) and every held-out metric (LMArena with style control off and on, GPQA
    Diamond, SWE-bench Verified, FrontierMath); the structural model's posterior refitted
    with NUTS at every ECI origin, the trend model tuned at every origin, three baselines, the
    stack and the selected model, all scored. It includes compiling the NUTS sampler (once
    per worker; JAX keeps it next to the store);
(a) the same again, with the compiled sampler cached, as every later run;
(b) the same work as a plain serial loop (``--workers 1``: no process pool), for the ratio
    to (a), and a check that both give the same records to the last digit.

Target: (0) in at most 15 minutes on 2 cores.

Usage: ``python benchmarks/bench_backtest.py [--workers N] [--skip-serial]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def mirror() -> Path:
    return Path(os.environ.get("GAPCAST_DATA") or ROOT.parent / "shared" / "data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-serial", action="store_true")
    args = parser.parse_args()

    from gapcast.store import Store
    from gapcast.usecases import trust_nested
    from gapcast.usecases.data import import_paths
    from gapcast.usecases.forecast_inputs import Tables

    print(f"cpus: {os.cpu_count()} · workers: {args.workers}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        with Store(path) as store:
            import_paths(store, [mirror()])
        with Store(path, read_only=True) as store:
            tables = Tables.load(store)
            start = time.perf_counter()
            cold = trust_nested.track_record(store, workers=args.workers, tables=tables)
            t_cold = time.perf_counter() - start
            n = sum(len(v) for v in cold.run.origins.values())
            print(
                f"(0) nested backtest, first run: {len(cold.units)} metrics, {n} metric-origins, "
                f"{len(cold.run.records):,} scored forecasts, {args.workers} workers: "
                f"{t_cold:.1f} s ({'within' if t_cold <= 900 else 'OVER'} the 15-minute target)"
            )
            start = time.perf_counter()
            fast = trust_nested.track_record(store, workers=args.workers, tables=tables)
            t_fast = time.perf_counter() - start
            print(f"(a) again, sampler compiled: {t_fast:.1f} s")
            if args.skip_serial:
                return
            start = time.perf_counter()
            slow = trust_nested.track_record(store, workers=1, tables=tables)
            t_slow = time.perf_counter() - start
            same = [r.to_dict() for r in slow.run.records] == [
                r.to_dict() for r in fast.run.records
            ]
            print(
                f"(b) plain serial loop: {t_slow:.1f} s · ratio {t_slow / t_fast:.2f}x · "
                f"identical records: {same}"
            )


if __name__ == "__main__":
    main()
