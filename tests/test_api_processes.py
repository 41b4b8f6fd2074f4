"""The API server and ``gapcast`` commands in separate processes, on one store file.

Before: the API held the store open for whole computations, so a ``data import`` in
another process failed while it computed, an API request during an import got 503 after
2 s, and an HTTP import colliding with the CLI became a 500. Now the API answers from an
in-memory copy of the store: reads go on during an import, the import is never lost, and
a lock held too long is a 503 with ``Retry-After``, never a 500.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from gapcast.store import Store
from gapcast.usecases.data import import_paths
from server_helpers import env, hammer, serve
from test_store_processes import _hold, _release

FIXTURES = Path(__file__).resolve().parent / "fixtures"
READS = ["/api/health", "/api/status", "/api/models?limit=20", "/api/sources", "/api/runs"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "api.duckdb"
    with Store(path) as store:
        import_paths(store, [FIXTURES / "epoch" / "eci.csv", FIXTURES / "org_country.csv"])
    return path


def test_a_store_locked_by_another_process_is_503_with_retry_after(db: Path) -> None:
    writer = _hold(db, "write")
    try:
        with serve(db) as base:
            busy = httpx.get(f"{base}/api/status", timeout=None)
            assert busy.status_code == 503
            assert busy.json()["error"] == "store_busy"
            assert int(busy.headers["retry-after"]) >= 1
            _release(writer)
            assert httpx.get(f"{base}/api/status", timeout=None).status_code == 200
    finally:
        if writer.poll() is None:
            _release(writer)


def test_reads_go_on_while_the_cli_imports_and_the_import_is_not_lost(db: Path) -> None:
    with serve(db) as base:
        before = httpx.get(f"{base}/api/health", timeout=None).json()["data_hash"]
        done = threading.Event()
        result: dict[str, object] = {}

        def import_in_another_process() -> None:
            result["run"] = subprocess.run(
                [sys.executable, "-m", "gapcast", "--db", str(db), "data", "import"]
                + [str(FIXTURES / "epoch"), str(FIXTURES / "lmarena")],
                capture_output=True,
                text=True,
                env=env(),
                check=False,
            )
            done.set()

        importer = threading.Thread(target=import_in_another_process)
        importer.start()
        load = hammer(base, READS, clients=4, until=done, ok=[200])
        importer.join()
        run = result["run"]
        assert isinstance(run, subprocess.CompletedProcess)
        assert run.returncode == 0, run.stderr
        assert load.errors == []
        assert len(load.latencies) >= len(READS)
        after = httpx.get(f"{base}/api/health", timeout=None).json()["data_hash"]
    with Store.open(db) as store:
        assert after == store.data_hash() != before
        assert {"epoch_benchmarks", "lmarena_history"} <= set(store.imports()["source"])


def test_an_http_import_colliding_with_another_writer_is_503_not_500(db: Path) -> None:
    auth = {"Authorization": "Bearer t"}
    body = {"paths": [str(FIXTURES / "epoch" / "ml_hardware.csv")]}
    with serve(db, token="t", import_root=FIXTURES) as base:
        before = httpx.get(f"{base}/api/health", timeout=None).json()["data_hash"]
        writer = _hold(db, "write")
        try:
            busy = httpx.post(f"{base}/api/data/import", json=body, headers=auth, timeout=None)
            assert busy.status_code == 503, busy.text
            assert busy.json()["error"] == "store_busy" and "retry-after" in busy.headers
            # Reads go on from the server's copy while the file is held.
            assert httpx.get(f"{base}/api/status", timeout=None).status_code == 200
        finally:
            _release(writer)
        done = httpx.post(f"{base}/api/data/import", json=body, headers=auth, timeout=None)
        assert done.status_code == 200, done.text
        assert httpx.get(f"{base}/api/health", timeout=None).json()["data_hash"] != before
