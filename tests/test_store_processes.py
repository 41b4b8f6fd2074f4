"""The store under several real processes: readers and a writer at once, lock conflicts.

DuckDB lets one process write a file or many read it, never both. These tests start
real processes (``python -c`` and the ``gapcast`` CLI) and check what a user sees: a
command that reads never stops an import, a command blocked by another process's lock
waits a bounded time and then says so (exit 75), and an import is never lost.
Each helper process is driven by its stdin, so no test depends on the machine's speed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gapcast.store import Store
from gapcast.usecases.data import import_paths

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SRC = str(Path(__file__).resolve().parents[1] / "src")

# Opens the store as named in argv[2] ("open": an in-memory copy, as every command does;
# "write": the file for writing), says "ready", and holds it until stdin closes.
HOLDER = """
import sys
from gapcast.store import Store
store = Store.open(sys.argv[1]) if sys.argv[2] == "open" else Store(sys.argv[1])
tables = {t: len(store.table(t)) for t in ("models", "scores")}
print("ready", tables["scores"], flush=True)
sys.stdin.read()
print("still reads", len(store.table("scores")), flush=True)
store.close()
"""


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def _cli(db: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gapcast", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=_env(**env),
        check=False,
    )


def _hold(db: Path, mode: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("ready"), proc.stderr.read() if proc.stderr else line
    return proc


def _release(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate("")
    assert proc.returncode == 0, err
    return out


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    with Store(path) as store:
        import_paths(store, [FIXTURES / "epoch" / "eci.csv", FIXTURES / "org_country.csv"])
    return path


@pytest.fixture
def reader(db: Path) -> Iterator[subprocess.Popen[str]]:
    proc = _hold(db, "open")
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_an_import_succeeds_while_another_process_is_reading(
    db: Path, reader: subprocess.Popen[str]
) -> None:
    # Before: every command held the file open for its whole run, so this import failed.
    result = _cli(db, "data", "import", str(FIXTURES / "epoch"), "--json")
    assert result.returncode == 0, result.stderr
    assert any(f["action"] == "imported" for f in json.loads(result.stdout)["files"])
    assert "still reads" in _release(reader)  # the reader finished on its own copy
    with Store.open(db) as store:
        assert "epoch_benchmarks" in set(store.imports()["source"])


def test_two_commands_read_at_once(db: Path, reader: subprocess.Popen[str]) -> None:
    status = _cli(db, "data", "status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["tables"]["scores"] > 0
    _release(reader)


def test_a_held_lock_is_retried_then_reported_with_exit_75(db: Path) -> None:
    writer = _hold(db, "write")
    try:
        blocked = _cli(db, "data", "status", GAPCAST_LOCK_TIMEOUT="0.3")
        assert blocked.returncode == 75
        assert "another process is using the store (waited 0.3 s)" in blocked.stderr
        assert "Traceback" not in blocked.stderr
    finally:
        _release(writer)
    ok = _cli(db, "data", "status", "--json")
    assert ok.returncode == 0, ok.stderr


def test_a_command_waits_for_a_lock_released_within_the_bound(db: Path) -> None:
    writer = _hold(db, "write")
    command = subprocess.Popen(
        [sys.executable, "-m", "gapcast", "--db", str(db), "data", "status", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(GAPCAST_LOCK_TIMEOUT="600"),
    )
    _release(writer)  # released while the command is starting or retrying
    out, err = command.communicate()
    assert command.returncode == 0, err
    assert json.loads(out)["tables"]["scores"] > 0
