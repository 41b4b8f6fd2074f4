"""Forecast latency and throughput of the HTTP API under 8 concurrent clients.

Starts the server (the app ``gapcast serve`` runs) in its own process on 127.0.0.1, then
sends forecast requests of 100,000 draws per model from 8 client threads:

- uncached: every request has its own seed, so every one runs the engine;
- cached: every request is the same, so all but the first come from the LRU cache.

Prints p50 / p95 latency and throughput for each, beside the baseline: the same forecast
called in-process through ``gapcast.usecases.forecast`` (no HTTP, no concurrency).
Targets on 2 cores: uncached p95 < 500 ms, cached p95 < 20 ms.

Slider answers (``--slider``, also run by default): 8 users each move a dashboard slider
through distinct positions (every request a new override value, so no cache helps); each
request asks for ``mc_error=0.01`` (a provisional answer within one percentage point of
Monte Carlo error: 2,500 draws) while the full 20,000-draw answer is refined in the
background. Prints p50/p95 of the provisional answers against the target of 500 ms, with the load
average before and after (on a shared machine, other work slows every figure).

The store is ``$GAPCAST_DB`` when it exists, else the data mirror (``$GAPCAST_DATA`` or
``../shared/data``) imported into a temporary store.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

CLIENTS = 8
DRAWS = 100_000
UNCACHED = 32
CACHED = 800
SERVER = """
import sys, uvicorn
from gapcast.api import create_app
uvicorn.run(create_app(sys.argv[1], token=None, warmup=True), host="127.0.0.1",
            port=int(sys.argv[2]), log_level="warning")
"""


def mirror() -> Path:
    return Path(
        os.environ.get("GAPCAST_DATA")
        or Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )


def store_path(folder: Path) -> Path:
    given = os.environ.get("GAPCAST_DB")
    if given and Path(given).is_file():
        return Path(given)
    from gapcast.store import Store
    from gapcast.usecases.data import import_paths

    db = folder / "bench.duckdb"
    with Store(db) as store:
        import_paths(store, [mirror()])
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def load(base: str, bodies: list[dict[str, object]]) -> tuple[list[float], float]:
    """Send the requests from CLIENTS threads; return latencies (s) and the wall time."""
    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(enumerate(bodies))

    def client() -> None:
        with httpx.Client(base_url=base, timeout=600) as http:
            while True:
                with lock:
                    if not queue:
                        return
                    _, body = queue.pop()
                start = time.perf_counter()
                response = http.post("/api/forecast", json=body)
                if body.get("mc_error"):
                    assert response.json()["provisional"], "a slider answer was not provisional"
                elapsed = time.perf_counter() - start
                response.raise_for_status()
                with lock:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - start


SLIDER_POSITIONS = 12
SLIDER_DRAWS = 20_000


def slider(base: str) -> float:
    """Return the p95 (s) of provisional slider answers from CLIENTS users at once."""
    bodies = [
        {
            "draws": SLIDER_DRAWS,
            "mc_error": 0.01,
            "overrides": {"groups.challenger.compute.growth": round(0.3 + 0.01 * i, 3)},
        }
        for i in range(CLIENTS * SLIDER_POSITIONS)
    ]
    lat, wall = load(base, bodies)
    summary("slider", lat, wall)
    return statistics.quantiles(lat, n=100, method="inclusive")[94]


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages (the machine may be shared)."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def summary(name: str, latencies: list[float], wall: float) -> None:
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    print(
        f"{name:>9}: {len(latencies):4d} requests · p50 {1000 * q[49]:8.1f} ms · "
        f"p95 {1000 * q[94]:8.1f} ms · {len(latencies) / wall:7.1f} requests/s"
    )


def baseline(db: Path) -> float:
    """Return the median seconds of one in-process forecast (tables read once)."""
    from gapcast.store import Store
    from gapcast.usecases import forecast
    from gapcast.usecases.forecast_inputs import Tables

    with Store(db, read_only=True) as store:
        tables = Tables.load(store)
        forecast.forecast(store, draws=1000, save=False, tables=tables)
        times = []
        for seed in range(3):
            start = time.perf_counter()
            forecast.forecast(store, draws=DRAWS, seed=seed, save=False, tables=tables)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    only_slider = "--slider" in sys.argv
    with tempfile.TemporaryDirectory(prefix="gapcast-bench-") as tmp:
        db = store_path(Path(tmp))
        single = 0.0 if only_slider else baseline(db)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(db), str(port)])
        try:
            wait_ready(base)
            warm = {"draws": 1000, "seed": 999_999}
            httpx.post(base + "/api/forecast", json=warm, timeout=600).raise_for_status()
            print(f"cores: {os.cpu_count()} · {CLIENTS} concurrent clients · {DRAWS:,} draws")
            print(f"load average before: {load_average()}")
            p95_slider = slider(base)
            print(f"load average after: {load_average()}")
            print(
                f"slider answers (mc_error 0.01 -> 2,500 draws, provisional; "
                f"{SLIDER_DRAWS:,} refined in the background): p95 {1000 * p95_slider:.0f} ms, "
                f"target <= 500 ms: {'met' if p95_slider <= 0.5 else 'NOT met'}"
            )
            if only_slider:
                return
            print(f" baseline: in-process pipeline.forecast, one at a time: {1000 * single:.1f} ms")
            uncached = [{"draws": DRAWS, "seed": 1000 + i} for i in range(UNCACHED)]
            lat, wall = load(base, uncached)
            summary("uncached", lat, wall)
            p95_uncached = statistics.quantiles(lat, n=100, method="inclusive")[94]
            same = {"draws": DRAWS, "seed": 42}
            lat, wall = load(base, [same] * CACHED)
            summary("cached", lat, wall)
            p95_cached = statistics.quantiles(lat, n=100, method="inclusive")[94]
            print(
                f"ratio uncached p95 / baseline: {p95_uncached / single:.1f}x "
                f"(the engine runs one forecast at a time; {CLIENTS} queue behind it)"
            )
            print(
                f"targets: uncached p95 < 500 ms: {'met' if p95_uncached < 0.5 else 'NOT met'}; "
                f"cached p95 < 20 ms: {'met' if p95_cached < 0.02 else 'NOT met'}"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
