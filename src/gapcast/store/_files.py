"""Opening a store file: lock conflicts retried with backoff, and in-memory copies.

DuckDB lets one process write a file, or any number of processes read it, never both.
``snapshot`` (what ``Store.open`` uses) copies the file into memory in one short read and
lets it go, so every computation runs on the copy and holds no lock. Opening a file another
process holds is retried with growing pauses (at most ``MAX_PAUSE_S``) for ``timeout``
seconds (``GAPCAST_LOCK_TIMEOUT``), then raises ``StoreBusyError`` (CLI exit 75, HTTP 503
with ``Retry-After``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from gapcast.errors import StoreBusyError, StoreError
from gapcast.store import _ddl

T = TypeVar("T")

MAX_PAUSE_S = 0.5
"""The longest pause between two attempts to open a store another process holds."""


def lock_timeout(timeout: float | None) -> float:
    """Return ``timeout``, or the configured one (``GAPCAST_LOCK_TIMEOUT``)."""
    if timeout is not None:
        return timeout
    from gapcast.settings import lock_timeout as configured

    return configured()


def is_lock_conflict(err: BaseException) -> bool:
    """Say whether a DuckDB error is another process holding the file."""
    text = str(err).lower()
    return "lock" in text and ("conflict" in text or "could not set" in text)


def busy(path: str, timeout: float) -> StoreBusyError:
    """Return the error of a file held for longer than ``timeout``."""
    return StoreBusyError(
        f"{path}: another process is using the store (waited {timeout:g} s)",
        retry_after=max(1, min(int(timeout) or 1, 5)),
        hint="try again when it is done, or set GAPCAST_LOCK_TIMEOUT to wait longer",
    )


def retrying(path: str, timeout: float, attempt: Callable[[], T]) -> T:
    """Call ``attempt()`` until it does not fail on a lock conflict, for ``timeout`` s."""
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        try:
            return attempt()
        except duckdb.Error as err:
            if not is_lock_conflict(err):
                raise
            left = deadline - time.monotonic()
            if left <= 0:
                raise busy(path, timeout) from None
            time.sleep(min(pause, left))
            pause = min(pause * 2, MAX_PAUSE_S)


def connect(path: str, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    """Open a connection to the file (or an in-memory database), retrying a held file."""
    if path == ":memory:":
        return duckdb.connect(path)
    return retrying(path, timeout, lambda: duckdb.connect(path, read_only=read_only))


def snapshot(path: str, timeout: float, migrate: Callable[[], None]) -> duckdb.DuckDBPyConnection:
    """Copy every table of the store file into a new in-memory database.

    A missing file, or one of an older version, is first created or migrated by
    ``migrate()`` (opening it as a writable ``Store``).
    """
    try:
        if not Path(path).is_file() or not current(path, timeout):
            migrate()
        con = duckdb.connect(":memory:")
        quoted = path.replace("'", "''")
        retrying(path, timeout, lambda: con.execute(f"ATTACH '{quoted}' AS src (READ_ONLY)"))
        try:
            con.execute("BEGIN TRANSACTION")
            for table in _ddl.ALL_TABLES:
                con.execute(f"CREATE TABLE main.{table} AS SELECT * FROM src.{table}")
            con.execute("COMMIT")
        finally:
            con.execute("DETACH src")
    except StoreBusyError:
        raise
    except (OSError, duckdb.Error) as err:
        raise StoreError(
            f"{path}: cannot open the store ({first_line(err)})",
            hint="pass a readable store with --db PATH or GAPCAST_DB",
        ) from None
    return con


def current(path: str, timeout: float) -> bool:
    """Say whether the store file has every table and column of this version."""
    con = connect(path, True, timeout)
    try:
        return _ddl.is_current(con)
    finally:
        con.close()


def first_line(err: BaseException) -> str:
    """Return the first line of an error's message (DuckDB's go on for lines)."""
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
