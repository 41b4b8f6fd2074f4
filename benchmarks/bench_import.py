"""Import the whole data mirror into a fresh store, against plain ``pandas.read_csv``.

Prints both times and their ratio. The baseline reads the same CSV files with
``pandas.read_csv`` (no validation, normalisation or store); the import parses every
file strictly, maps it to the canonical tables and writes them to a new DuckDB file in
one transaction. Target: the full import under 5 s on 2 cores.

Usage: python benchmarks/bench_import.py [DATA_DIR]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from gapcast.store import Store
from gapcast.usecases.data import import_paths


def _mirror() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    import os

    return Path(
        os.environ.get("GAPCAST_DATA")
        or Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )


def baseline(data: Path) -> float:
    start = time.perf_counter()
    for path in sorted(data.rglob("*.csv")):
        pd.read_csv(path, low_memory=False)
    return time.perf_counter() - start


def gapcast_import(data: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with Store(Path(tmp) / "bench.duckdb") as store:
            report = import_paths(store, [data])
        elapsed = time.perf_counter() - start
    return elapsed, sum(r.rows for r in report.results)


def main() -> None:
    data = _mirror()
    gapcast_import(data)  # warm imports of modules and the OS file cache
    base = min(baseline(data) for _ in range(3))
    runs = [gapcast_import(data) for _ in range(3)]
    best = min(t for t, _ in runs)
    rows = runs[0][1]
    print(f"mirror: {data}")
    print(f"pandas.read_csv of every CSV (baseline): {base:.3f} s")
    print(
        f"gapcast data import (parse, validate, normalise, store): {best:.3f} s "
        f"for {rows:,} canonical rows"
    )
    print(f"ratio import / baseline: {best / base:.2f}x  (target: import < 5 s)")


if __name__ == "__main__":
    main()
