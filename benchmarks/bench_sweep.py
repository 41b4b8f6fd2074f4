"""Benchmark sweeps: a serial loop against Dask LocalClusters of 1 and 2 worker processes.

The sweep is the shipped map's grid (China's compute growth × its serving share, baseline
scenario, structural model) on the store's data (``$GAPCAST_DB``, or ``--db``). Every variant
runs the same tasks (``gapcast.evaluate.sweep.tasks``) and returns the same map, which the
benchmark checks to the last digit:

(a) serial: every task in this process, one after another, one thread (the reference);
(b) Dask, 1 worker process (1 thread), on a cluster started and warmed beforehand (each
    worker has loaded the compiled kernels and validated every point's scenario once:
    excluded, as a cluster is reused);
(c) Dask, 2 worker processes.

The variants run interleaved, ``--repeat`` times, and the best time of each is kept (the
machine's load changes the others' times too). It prints draw-months per second, the
ratios to (a), the 1 -> 2 worker scaling efficiency
``T1 / (2 T2)``, and the cost of a task: the scheduler's round trip for an empty task, and
throughput against draws per task (``--chunks``), serial and on 2 workers, to show where
the scheduler's overhead starts to dominate.

Usage: ``python benchmarks/bench_sweep.py [--draws N] [--chunk N] [--chunks A,B,...]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections.abc import Callable
from typing import Any

MONTHS = 60
SERIAL, ONE, TWO = "serial loop", "Dask, 1 worker", "Dask, 2 workers"


def _noop(i: int) -> int:
    return i


def _warm(forecast: Any, points: Any) -> None:
    """Load the kernels and validate every point's scenario (what a reused cluster has done)."""
    for point in points:
        forecast(point, 0, 1)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Return the best wall time of ``repeat`` runs, and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", default=None, help="store file (default: $GAPCAST_DB)")
    parser.add_argument("--draws", type=int, default=16000, help="draws per point")
    parser.add_argument("--chunk", type=int, default=16000, help="draws per task")
    parser.add_argument("--chunks", default="500,2000,8000,16000", help="task sizes to compare")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant (best)")
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    from gapcast.evaluate import sweep as sw
    from gapcast.settings import default_db_path
    from gapcast.store import Store
    from gapcast.usecases import sweep as use

    logging.getLogger("distributed").setLevel(logging.ERROR)
    with Store(args.db or default_db_path(), read_only=True) as store:
        grid, forecast, _, _ = use.prepare(
            store, use.SHIPPED_VARY, model=use.SHIPPED_MODEL, draws=args.draws
        )
    dm = len(grid.points) * grid.draws * MONTHS
    print(
        f"sweep: {len(grid.points)} points × {grid.draws:,} draws × {MONTHS} months "
        f"({dm / 1e6:.1f} M draw-months), {use.SHIPPED_MODEL} model, chunk {args.chunk:,} draws "
        f"({len(sw.tasks(grid, args.chunk))} tasks); {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    clusters: dict[str, Any] = {}
    for name, n in ((ONE, 1), (TWO, 2)):
        cluster = LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        client = Client(cluster)
        client.run(_warm, forecast, grid.points)  # every worker meets every point once
        clusters[name] = (cluster, client)
    ref = sw.run_serial(grid, forecast, args.chunk)
    runs: dict[str, Callable[[], Any]] = {
        SERIAL: lambda: sw.run_serial(grid, forecast, args.chunk),
        ONE: lambda: use.execute(grid, forecast, chunk=args.chunk, client=clusters[ONE][1])[0],
        TWO: lambda: use.execute(grid, forecast, chunk=args.chunk, client=clusters[TWO][1])[0],
    }
    times = {name: float("inf") for name in runs}
    for _ in range(args.repeat):  # interleaved, so a change in the machine's load hits all
        for name, run in runs.items():
            t, out = timed(run, 1)
            assert out.events == ref.events, f"{name}: the map differs from the serial one"
            times[name] = min(times[name], t)
    print(f"{'':18}{'seconds':>9}{'M draw-months/s':>17}{'vs serial':>11}")
    for name, t in times.items():
        print(f"{name:18}{t:9.2f}{dm / t / 1e6:17.2f}{times[SERIAL] / t:10.2f}x")
    print(
        f"scaling 1 -> 2 workers: {times[ONE] / times[TWO]:.2f}x, efficiency "
        f"{times[ONE] / (2 * times[TWO]):.0%}; the maps are identical"
    )

    _, two = clusters[TWO]
    n = 400
    t, _ = timed(lambda: two.gather(two.map(_noop, range(n), pure=False)), args.repeat)
    print(
        f"scheduler round trip of an empty task (2 workers, {n} at once): "
        f"{1e3 * t / n:.2f} ms per task"
    )
    print(
        f"{'draws/task':>10}{'tasks':>7}{'serial s':>10}{'2 workers s':>13}"
        f"{'serial ms/task':>16}{'2w vs serial':>14}"
    )
    for chunk in (int(c) for c in args.chunks.split(",")):
        tasks = len(sw.tasks(grid, chunk))
        ts, _ = timed(lambda c=chunk: sw.run_serial(grid, forecast, c), 1)
        td, _ = timed(lambda c=chunk: use.execute(grid, forecast, chunk=c, client=two), 1)
        print(f"{chunk:10,}{tasks:7}{ts:10.2f}{td:13.2f}{1e3 * ts / tasks:16.1f}{ts / td:13.2f}x")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    for cluster, client in clusters.values():
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
