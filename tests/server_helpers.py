"""A real API server in its own process on 127.0.0.1, and a load of concurrent readers.

Shared by the multi-process tests and ``benchmarks/bench_load.py``: the server is the
app ``gapcast serve`` runs (uvicorn), started with ``python -c`` so it is a separate
process from the test and from any ``gapcast`` command the test runs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SRC = str(Path(__file__).resolve().parents[1] / "src")

SERVER = """
import logging, sys, uvicorn
logging.basicConfig(level=logging.WARNING)
from gapcast.api import create_app
app = create_app(sys.argv[1], token=sys.argv[4] or None, import_root=sys.argv[5] or None,
                 default_draws=2000, job_workers=0)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
            limit_concurrency=int(sys.argv[3]))
"""


def env(**extra: str) -> dict[str, str]:
    """Return this process's environment with ``src`` on the path (plus ``extra``)."""
    out = dict(os.environ)
    out["PYTHONPATH"] = SRC + os.pathsep + out.get("PYTHONPATH", "")
    out.update(extra)
    return out


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(
    db: Path,
    *,
    limit_concurrency: int = 1000,
    token: str = "",
    import_root: Path | None = None,
) -> Iterator[str]:
    """Run the API over ``db`` in a subprocess; yield its base URL; stop it afterwards.

    The server's log goes to ``<db>.server.log`` beside the store.
    """
    port = free_port()
    log = db.with_suffix(".server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(db), str(port), str(limit_concurrency)]
        + [token, str(import_root or "")],
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Wait for the server to listen (it answers or has exited; startup only).
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited: see {log.name}")
            try:
                httpx.get(f"{base}/api/health", timeout=30)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait()
        log.close()


@dataclass
class Load:
    """What a load run saw: latencies (s) of good answers, and every failure."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def percentile(self, q: float) -> float:
        """Return the q-th percentile of the latencies in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
        return 1000 * ordered[index]


def hammer(
    base: str, urls: Sequence[str], clients: int, until: threading.Event, *, ok: Sequence[int]
) -> Load:
    """Run ``clients`` threads, each requesting ``urls`` in turn until ``until`` is set.

    Any status outside ``ok`` or any transport error is recorded as an error.
    """
    load = Load()
    lock = threading.Lock()

    def client(offset: int) -> None:
        with httpx.Client(base_url=base, timeout=None) as http:
            i = offset
            while not until.is_set():
                url = urls[i % len(urls)]
                i += 1
                start = time.perf_counter()
                try:
                    response = http.get(url)
                except httpx.HTTPError as err:
                    with lock:
                        load.errors.append(f"{url}: {type(err).__name__}")
                    continue
                took = time.perf_counter() - start
                with lock:
                    load.statuses[response.status_code] = (
                        load.statuses.get(response.status_code, 0) + 1
                    )
                    if response.status_code in ok:
                        load.latencies.append(took)
                    else:
                        load.errors.append(f"{url}: {response.status_code}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return load
