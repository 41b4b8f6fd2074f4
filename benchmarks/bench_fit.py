"""Time ``gapcast fit`` (the structural model's NUTS fit) on the mirror against the OLS fit.

Timed: ``gapcast fit --refit --json`` as a user runs it (a fresh process: start-up, reading
the store, building the data, JAX compilation, 2 NUTS chains of 500 + 500 iterations, the
summaries), twice: first with an empty JAX compilation cache (a first fit on a machine),
then again with the cache the first run left next to the store. Wall-clock and CPU time
(user + system of the child process) are printed: on a shared machine the wall clock
includes other people's work, CPU time does not.

Baseline: the plain OLS capability fit of ``gapcast.model.fit`` on the same cross-section,
in this process (reading the store once, then ``fit_rows`` + ``capability_fit``).

Target: ``gapcast fit`` in at most 60 s on 2 cores.

Usage: python benchmarks/bench_fit.py [DATA_DIR | STORE.duckdb]
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gapcast.store import Store
from gapcast.usecases import scenarios as scenario_files
from gapcast.usecases.forecast_inputs import Tables, capability_fit, fit_rows, latest_date

TARGET_S = 60.0


def _source() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    return Path(
        os.environ.get("GAPCAST_DATA")
        or Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )


def _store(source: Path, folder: Path) -> Path:
    db = folder / "gapcast.duckdb"
    if source.suffix == ".duckdb":
        shutil.copy(source, db)
        return db
    from gapcast.usecases.data import import_paths

    with Store(db) as store:
        import_paths(store, [source])
    return db


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_cli(db: Path) -> tuple[float, float, dict[str, object]]:
    """Run ``gapcast fit --refit --json``; return wall s, CPU s and its JSON."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    cpu0, t0 = _child_cpu(), time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "gapcast", "--db", str(db), "fit", "--refit", "--json"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return time.perf_counter() - t0, _child_cpu() - cpu0, json.loads(out.stdout)


def time_ols(db: Path) -> float:
    """Return the seconds of the plain OLS fit on the same cross-section (best of 5)."""
    sc = scenario_files.load("baseline")
    with Store(db, read_only=True) as store:
        tables = Tables.load(store)
    end = latest_date(tables, sc.metric)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        rows = fit_rows(tables, sc.groups.leader.label, sc.groups.challenger.label, end)
        capability_fit(rows)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = _store(_source(), Path(tmp))
        ols = time_ols(db)
        cold_wall, cold_cpu, report = time_cli(db)
        warm_wall, warm_cpu, _ = time_cli(db)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores)")
    print(f"gapcast fit, empty compile cache: wall {cold_wall:.1f} s, CPU {cold_cpu:.1f} s")
    print(f"gapcast fit, warm compile cache:  wall {warm_wall:.1f} s, CPU {warm_cpu:.1f} s")
    print(f"plain OLS fit (model/fit.py):     {ols * 1e3:.1f} ms")
    print(f"ratio gapcast fit / OLS (CPU, empty cache): {cold_cpu / ols:,.0f}x")
    print(
        f"target: <= {TARGET_S:.0f} s; CPU time {'meets' if cold_cpu <= TARGET_S else 'misses'} it"
    )
    lam = next(p for p in report["parameters"] if p["name"] == "lambda")  # type: ignore[union-attr]
    print(
        f"lambda {lam['mean']:.2f} [{lam['ci90'][0]:.2f}, {lam['ci90'][1]:.2f}], "
        f"divergences {report['divergences']}"
    )


if __name__ == "__main__":
    main()
