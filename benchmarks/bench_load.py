"""Load test: 50 concurrent readers for 60 s while ``gapcast data import`` writes the store.

Starts the API (the app ``gapcast serve`` runs) in its own process on 127.0.0.1 over a
store holding the whole data mirror, then runs 50 client threads for 60 s over a mix of
read routes (status, models, gap, a cached forecast, and claims where the server has
that route), while ``gapcast data import`` of the whole mirror runs in another process,
again and again (each pass changes ``eci.csv`` by a trailing blank line, so every pass
really writes the store). Prints the error count (the target is 0), p50/p95/p99 latency
per route and overall, requests per second, and how many imports committed. Baseline:
the same routes with the same clients and no import running (first 20 s).

Usage: ``python benchmarks/bench_load.py [--clients 50] [--seconds 60]``. The store is
the mirror (``$GAPCAST_DATA`` or ``../shared/data``) imported into a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from server_helpers import Load, env, hammer, serve  # noqa: E402

ROUTES = [
    "/api/status",
    "/api/models?limit=50",
    "/api/gap?metric=eci",
    "/api/forecast?draws=2000",
    "/api/health",
]


def mirror() -> Path:
    return Path(
        os.environ.get("GAPCAST_DATA")
        or Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )


def report(name: str, load: Load, seconds: float) -> None:
    print(
        f"{name}: {len(load.latencies):6d} ok, {len(load.errors)} errors, "
        f"{len(load.latencies) / seconds:7.1f} requests/s · p50 {load.percentile(50):7.1f} ms "
        f"· p95 {load.percentile(95):7.1f} ms · p99 {load.percentile(99):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--baseline-seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gapcast-load-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(mirror(), data)
        db = Path(tmp) / "load.duckdb"
        subprocess.run(
            [sys.executable, "-m", "gapcast", "--db", str(db), "data", "import", str(data)],
            env=env(),
            check=True,
            capture_output=True,
        )
        with serve(db) as base:
            routes = list(ROUTES)
            paths = httpx.get(f"{base}/api/openapi.json", timeout=None).json()["paths"]
            if "/api/claims" in paths:
                routes.append("/api/claims")
            for url in routes:  # warm the caches once
                httpx.get(base + url, timeout=None)
            print(f"cores: {os.cpu_count()} · {args.clients} clients · routes: {', '.join(routes)}")

            quiet_done = threading.Event()
            threading.Timer(args.baseline_seconds, quiet_done.set).start()
            quiet = hammer(base, routes, args.clients, quiet_done, ok=[200])
            report(
                f"baseline, no import ({args.baseline_seconds:.0f} s)", quiet, args.baseline_seconds
            )

            done = threading.Event()
            imports: list[float] = []
            failures: list[str] = []
            eci = data / "epoch" / "eci.csv"
            original = eci.read_bytes()

            def importer() -> None:
                passes = 0
                while not done.is_set():
                    passes += 1
                    eci.write_bytes(original + b"\n" * (passes % 2))
                    start = time.perf_counter()
                    result = subprocess.run(
                        [sys.executable, "-m", "gapcast", "--db", str(db), "data", "import"]
                        + [str(data)],
                        env=env(),
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    if result.returncode == 0:
                        imports.append(time.perf_counter() - start)
                    else:
                        failures.append(result.stderr.strip().splitlines()[-1])

            writer = threading.Thread(target=importer)
            timer = threading.Timer(args.seconds, done.set)
            start = time.perf_counter()
            writer.start()
            timer.start()
            loaded = hammer(base, routes, args.clients, done, ok=[200])
            writer.join()
            took = time.perf_counter() - start
            report(f"during imports ({took:.0f} s)", loaded, took)
            by_status = ", ".join(f"{k}: {v}" for k, v in sorted(loaded.statuses.items()))
            print(f"statuses: {by_status}")
            if loaded.errors:
                print("first errors:", loaded.errors[:5])
            mean = sum(imports) / len(imports) if imports else float("nan")
            print(
                f"imports of the whole mirror committed: {len(imports)} (mean {mean:.1f} s), "
                f"failed: {len(failures)} {failures[:3]}"
            )
            final = httpx.get(f"{base}/api/health", timeout=None).json()["data_hash"]
            from gapcast.store import Store

            with Store.open(db) as store:
                print(f"no lost import: served data hash {final} == store's {store.data_hash()}")
            print(f"target 0 errors: {'met' if not loaded.errors and not failures else 'NOT met'}")


if __name__ == "__main__":
    main()
