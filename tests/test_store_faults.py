"""``kill -9`` of an import at random points, 20 times: the store survives every one.

After each kill the store opens, holds exactly the last committed import (the state
before the killed import, or the state after it if it had committed), and importing
again succeeds. The kill points are drawn from a seeded generator; whatever point is
hit, the assertions are the same, so the test does not depend on the machine's speed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from gapcast.store import Store
from gapcast.usecases.data import import_paths
from server_helpers import env

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIRST = [FIXTURES / "epoch" / "eci.csv", FIXTURES / "org_country.csv"]
SECOND = [FIXTURES / "epoch", FIXTURES / "lmarena"]
KILLS = 20

IMPORTER = """
import sys
from gapcast.store import Store
from gapcast.usecases.data import import_paths
print("started", flush=True)
with Store.open(sys.argv[1]) as store:
    import_paths(store, sys.argv[2:])
print("committed", flush=True)
"""


def state(path: Path) -> dict[str, Any]:
    """What an import decides: the files, their hashes and rows, and each table's size."""
    with Store.open(path) as store:
        files = sorted(
            (str(r["source"]), str(r["file"]), str(r["sha256"]), int(r["rows"]))
            for r in store.imports().to_dict(orient="records")
        )
        sizes = {t: len(store.table(t)) for t in ("models", "scores", "compute", "hardware")}
        return {"files": files, "sizes": sizes, "hash": store.data_hash()}


def test_kill_9_during_imports_never_breaks_the_store(tmp_path: Path) -> None:
    base = tmp_path / "base.duckdb"
    with Store(base) as store:
        import_paths(store, FIRST)
    reference = tmp_path / "reference.duckdb"
    shutil.copyfile(base, reference)
    with Store(reference) as store:
        import_paths(store, SECOND)
    before, after = state(base), state(reference)
    assert before != after

    rng = np.random.default_rng(20261129)
    outcomes = {"before": 0, "after": 0}
    for _ in range(KILLS):
        db = tmp_path / "victim.duckdb"
        for leftover in tmp_path.glob("victim.duckdb*"):
            leftover.unlink()
        shutil.copyfile(base, db)
        proc = subprocess.Popen(
            [sys.executable, "-c", IMPORTER, str(db), *map(str, SECOND)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env(),
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "started"
        time.sleep(float(rng.uniform(0.0, 2.5)))  # a random point of the import
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        committed = "committed" in proc.stdout.read()
        proc.stdout.close()

        found = state(db)  # the store opens
        assert found in (before, after)
        if committed:
            assert found == after
        outcomes["before" if found == before else "after"] += 1
        with Store.open(db) as store:  # a re-import succeeds
            import_paths(store, SECOND)
        assert state(db) == after
    print(
        f"\nkill -9 x{KILLS}: store held the state before {outcomes['before']} times, after "
        f"{outcomes['after']} times; it opened and re-imported every time"
    )
