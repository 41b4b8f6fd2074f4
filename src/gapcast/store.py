"""The embedded DuckDB store: the only module that imports ``duckdb`` or holds SQL.

Tables
------
- one table per canonical table of ``gapcast.schema`` (``models``, ``scores``,
  ``compute``, ``organizations``, ``hardware``); every row carries the ``source`` and
  ``file`` it came from;
- ``imports``: provenance, one row per imported file (source, file, sha256, rows,
  licence, url, imported_at);
- ``runs``: stored forecast and analysis runs (kind, scenario hash, data hash, seed,
  code version, request and results as JSON).

- ``import_history``: every version of every file ever imported, with its import time;
  ``<table>_vintages`` keep the rows of versions since replaced (see "Vintages").

An import is one transaction over all its files: either every file's rows replace that
file's earlier rows, or (on any error) nothing changes. Re-importing a file whose sha256
is unchanged is a no-op.

Concurrency
-----------
DuckDB lets one process write a file, or any number of processes read it, never both.
``Store.open`` (what the CLI and the API use) therefore copies the file into memory in
one short read (tens of milliseconds for the whole mirror) and lets it go: every
computation runs on the copy and holds no lock. A write (an import, a stored run) opens
the file for writing only for its one final transaction. Opening a file another process
holds is retried with growing pauses for ``timeout`` seconds (``GAPCAST_LOCK_TIMEOUT``),
then raises ``StoreBusyError`` (CLI exit 75, HTTP 503 with ``Retry-After``).

Vintages
--------
Upstream sources revise their files (Epoch refits ECI with each release, so past scores
move). When an import replaces a file, the replaced rows are kept in
``<table>_vintages`` with the time they had been imported, and ``import_history`` lists
every version. ``Store.known_on(date)`` shows, for each file, the version imported last
on or before that date; a file first imported later than the date is shown in its
earliest imported version, since nothing older was ever kept (``docs/data.md``).

The default location is ``$GAPCAST_DB`` if set, else ``$XDG_DATA_HOME/gapcast/gapcast.duckdb``
(``~/.local/share/gapcast/gapcast.duckdb``); see ``gapcast.settings``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

from gapcast import schema
from gapcast.errors import NotFoundError, StoreBusyError, StoreError
from gapcast.sources.base import Parsed

ImportAction = Literal["imported", "replaced", "unchanged"]

_IMPORTS_DDL = """
CREATE TABLE IF NOT EXISTS imports (
    source VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows INTEGER NOT NULL,
    license VARCHAR,
    url VARCHAR,
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source, file)
)"""

_HISTORY_DDL = """
CREATE TABLE IF NOT EXISTS import_history (
    source VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows INTEGER NOT NULL,
    license VARCHAR,
    url VARCHAR,
    imported_at TIMESTAMP NOT NULL
)"""

_RUNS_DDL = """
CREATE SEQUENCE IF NOT EXISTS run_ids START 1;
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY DEFAULT nextval('run_ids'),
    kind VARCHAR NOT NULL,
    scenario VARCHAR,
    scenario_hash VARCHAR,
    data_hash VARCHAR NOT NULL,
    seed BIGINT,
    version VARCHAR NOT NULL,
    request JSON NOT NULL,
    results JSON NOT NULL,
    created_at TIMESTAMP NOT NULL
);
ALTER TABLE runs ADD COLUMN IF NOT EXISTS environment JSON"""

_ALL_TABLES = (
    *schema.TABLES,
    "imports",
    "import_history",
    "runs",
    *(f"{t}_vintages" for t in schema.TABLES),
)
"""Every table of a current store (a store without one of them is migrated on open)."""

MAX_PAUSE_S = 0.5
"""The longest pause between two attempts to open a store another process holds."""


@dataclass(frozen=True)
class FileImport:
    """One parsed file ready to import, with its provenance."""

    parsed: Parsed
    sha256: str
    license: str
    url: str | None = None


@dataclass(frozen=True)
class ImportResult:
    """What an import did to one file."""

    source: str
    file: str
    rows: int
    sha256: str
    license: str
    action: ImportAction
    url: str | None = None


def sha256_of(raw: bytes) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    return hashlib.sha256(raw).hexdigest()


class Store:
    """A gapcast store in a DuckDB file (or in memory, for tests).

    Parameters
    ----------
    path
        The database file; its folder is created if missing. ``":memory:"`` for an
        in-memory store (prefer ``Store.memory()``).
    read_only
        Open without write access (for concurrent readers such as the API).
    """

    def __init__(
        self, path: str | Path, *, read_only: bool = False, timeout: float | None = None
    ) -> None:
        self.path = str(path)
        self._file: str | None = None
        self._timeout = _timeout(timeout)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._con = _connect(self.path, read_only, self._timeout)
            if not read_only:
                self._create()
        except StoreBusyError:
            raise
        except (OSError, duckdb.Error) as err:
            raise StoreError(
                f"{self.path}: cannot open the store ({_first_line(err)})",
                hint="pass a writable location with --db PATH or GAPCAST_DB",
            ) from None

    @classmethod
    def open(cls, path: str | Path, *, timeout: float | None = None) -> Store:
        """Return an in-memory copy of the store file; writes go to the file, briefly.

        The file is read in one short transaction and released, so a long computation
        on the copy blocks no other process. ``import_files`` and ``save_run`` open the
        file for writing for their one transaction (then refresh the copy). A missing
        file is created; an older store is migrated first.
        """
        store = cls.__new__(cls)
        store.path = str(path)
        store._file = str(path)
        store._timeout = _timeout(timeout)
        store._con = _snapshot(store._file, store._timeout)
        return store

    def cursor(self) -> Store:
        """Return a store over a new cursor of this store's database (one per thread)."""
        other = type(self).__new__(type(self))
        other.__dict__.update(self.__dict__)
        other._con = self._con.cursor()
        return other

    def _writer(self) -> Store:
        assert self._file is not None
        return Store(self._file, timeout=self._timeout)

    def _reload(self) -> None:
        assert self._file is not None
        fresh = _snapshot(self._file, self._timeout)
        self._con.close()
        self._con = fresh

    @classmethod
    def memory(cls) -> Store:
        """Return an empty in-memory store."""
        return cls(":memory:")

    def close(self) -> None:
        """Close the connection."""
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _create(self) -> None:
        for table, spec in schema.TABLES.items():
            columns = ", ".join(f'"{name}" {sql}' for name, (sql, _, _) in spec.items())
            self._con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
        self._con.execute(_IMPORTS_DDL)
        self._con.execute(_HISTORY_DDL)
        self._con.execute(_RUNS_DDL)
        for table in schema.TABLES:
            self._con.execute(
                f"CREATE TABLE IF NOT EXISTS {table}_vintages AS "
                f"SELECT *, NULL::TIMESTAMP AS vintage FROM {table} LIMIT 0"
            )
        # A store from before vintages: its current files are the first versions known.
        self._con.execute(
            "INSERT INTO import_history SELECT * FROM imports WHERE NOT EXISTS "
            "(SELECT 1 FROM import_history)"
        )

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self._con.execute("BEGIN TRANSACTION")
        try:
            yield self._con
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    # ---- imports -----------------------------------------------------------------

    def import_files(
        self, files: Iterable[FileImport], *, now: datetime | None = None
    ) -> list[ImportResult]:
        """Import parsed files in one transaction; unchanged files are left alone.

        ``now`` is the import time recorded (the present, in UTC, by default).
        A file whose (source, file) was imported before with another sha256 has its
        earlier rows deleted and replaced (and kept as a vintage). If anything fails,
        nothing changes. On a store from ``Store.open``, the file is opened for writing
        for this one transaction only.
        """
        if self._file is not None:
            with self._writer() as writer:
                written = writer.import_files(files, now=now)
            self._reload()
            return written
        known = {
            (str(row["source"]), str(row["file"])): (str(row["sha256"]), int(row["rows"]))
            for row in self.imports().to_dict(orient="records")
        }
        results: list[ImportResult] = []
        now = now or datetime.now(UTC).replace(tzinfo=None)
        try:
            with self._transaction() as con:
                for item in files:
                    key = (item.parsed.source, item.parsed.file)
                    previous = known.get(key)
                    action: ImportAction
                    rows = item.parsed.rows
                    if previous is not None and previous[0] == item.sha256:
                        action, rows = "unchanged", previous[1]
                    elif item.parsed.unchanged:
                        raise StoreBusyError(
                            f"{item.parsed.file}: the store changed while this import was "
                            "being prepared; nothing was changed",
                            hint="run the import again",
                        )
                    else:
                        action = "imported" if previous is None else "replaced"
                        self._replace(con, item, now)
                        known[key] = (item.sha256, rows)
                    results.append(
                        ImportResult(
                            item.parsed.source,
                            item.parsed.file,
                            rows,
                            item.sha256,
                            item.license,
                            action,
                            item.url,
                        )
                    )
        except StoreBusyError:
            raise
        except (duckdb.Error, ValueError, TypeError) as err:
            raise StoreError(
                f"{self.path}: import failed, nothing was changed ({_first_line(err)})"
            ) from None
        return results

    def _replace(self, con: duckdb.DuckDBPyConnection, item: FileImport, now: datetime) -> None:
        source, file = item.parsed.source, item.parsed.file
        earlier = con.execute(
            "SELECT imported_at FROM imports WHERE source = ? AND file = ?", [source, file]
        ).fetchone()
        for table in schema.TABLES:
            if earlier is not None:
                con.execute(
                    f"INSERT INTO {table}_vintages SELECT *, ? FROM {table} "
                    "WHERE source = ? AND file = ?",
                    [earlier[0], source, file],
                )
            con.execute(f"DELETE FROM {table} WHERE source = ? AND file = ?", [source, file])
        for table, frame in item.parsed.tables.items():
            if frame.empty:
                continue
            rows = schema.conform(frame, table)
            con.register("_incoming", rows)
            try:
                con.execute(f"INSERT INTO {table} SELECT * FROM _incoming")
            finally:
                con.unregister("_incoming")
        con.execute("DELETE FROM imports WHERE source = ? AND file = ?", [source, file])
        row = [source, file, item.sha256, item.parsed.rows, item.license, item.url, now]
        con.execute("INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?)", row)
        con.execute("INSERT INTO import_history VALUES (?, ?, ?, ?, ?, ?, ?)", row)

    def imports(self) -> pd.DataFrame:
        """Return the provenance table, one row per imported file."""
        return self._con.execute(
            "SELECT source, file, sha256, rows, license, url, imported_at "
            "FROM imports ORDER BY source, file"
        ).df()

    def data_hash(self) -> str:
        """Return a hash of everything imported (the sorted file sha256s)."""
        sums = self._con.execute(
            "SELECT source || '/' || file || '=' || sha256 FROM imports ORDER BY 1"
        ).fetchall()
        return sha256_of("\n".join(row[0] for row in sums).encode())[:16]

    # ---- canonical tables ----------------------------------------------------------

    def table(self, name: str) -> pd.DataFrame:
        """Return a canonical table as a data frame with the schema's dtypes."""
        if name not in schema.TABLES:
            raise NotFoundError(f"no table '{name}' (tables: {', '.join(schema.TABLES)})")
        frame = self._con.execute(f"SELECT * FROM {name}").df()
        return schema.conform(frame, name)

    def date_ranges(self) -> pd.DataFrame:
        """Return, per imported file, the first and last date its rows carry."""
        parts = [
            "SELECT source, file, min(release_date) AS first, max(release_date) AS last "
            "FROM models GROUP BY ALL",
            "SELECT source, file, min(coalesce(as_of, release_date)), "
            "max(coalesce(as_of, release_date)) FROM scores GROUP BY ALL",
            "SELECT source, file, min(date), max(date) FROM compute GROUP BY ALL",
            "SELECT source, file, min(release_date), max(release_date) FROM hardware GROUP BY ALL",
        ]
        sql = (
            "SELECT source, file, min(first) AS first, max(last) AS last FROM ("
            + " UNION ALL ".join(parts)
            + ") GROUP BY ALL ORDER BY source, file"
        )
        return self._con.execute(sql).df()

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Return every table's full contents, sorted (tests compare before and after)."""
        out: dict[str, list[tuple[Any, ...]]] = {}
        for table in [*schema.TABLES, "imports", "runs"]:
            rows = self._con.execute(f"SELECT * FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out

    # ---- runs ------------------------------------------------------------------------

    def save_run(
        self,
        *,
        kind: str,
        scenario: str | None,
        scenario_hash: str | None,
        data_hash: str,
        seed: int | None,
        version: str,
        request: Mapping[str, Any],
        results: Mapping[str, Any],
        environment: Mapping[str, Any] | None = None,
    ) -> int:
        """Store a run and return its id.

        ``environment`` records the install that made it (``gapcast.environment``).
        """
        if self._file is not None:
            with self._writer() as writer:
                run_id = writer.save_run(
                    kind=kind,
                    scenario=scenario,
                    scenario_hash=scenario_hash,
                    data_hash=data_hash,
                    seed=seed,
                    version=version,
                    request=request,
                    results=results,
                    environment=environment,
                )
            self._reload()
            return run_id
        if environment is None:
            from gapcast.environment import environment as current

            environment = current()
        now = datetime.now(UTC).replace(tzinfo=None)
        try:
            row = self._con.execute(
                "INSERT INTO runs (kind, scenario, scenario_hash, data_hash, seed, version, "
                "request, results, created_at, environment) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    kind,
                    scenario,
                    scenario_hash,
                    data_hash,
                    seed,
                    version,
                    json.dumps(request, sort_keys=True),
                    json.dumps(results),
                    now,
                    json.dumps(environment, sort_keys=True),
                ],
            ).fetchone()
        except duckdb.Error as err:
            raise StoreError(f"{self.path}: cannot store the run ({_first_line(err)})") from None
        assert row is not None
        return int(row[0])

    def runs(self, kind: str | None = None) -> pd.DataFrame:
        """Return stored runs (without their results), newest first."""
        sql = (
            "SELECT id, kind, scenario, scenario_hash, data_hash, seed, version, "
            "created_at FROM runs"
        )
        params: list[Any] = []
        if kind is not None:
            sql += " WHERE kind = ?"
            params.append(kind)
        return self._con.execute(sql + " ORDER BY id DESC", params).df()

    def run(self, run_id: int) -> dict[str, Any]:
        """Return one stored run with its request and results."""
        row = self._con.execute(
            "SELECT id, kind, scenario, scenario_hash, data_hash, seed, version, request, "
            "results, created_at, environment FROM runs WHERE id = ?",
            [run_id],
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"no stored run with id {run_id}", hint="`gapcast runs list` shows the stored runs"
            )
        keys = [
            "id",
            "kind",
            "scenario",
            "scenario_hash",
            "data_hash",
            "seed",
            "version",
            "request",
            "results",
            "created_at",
            "environment",
        ]
        out = dict(zip(keys, row, strict=True))
        out["request"] = json.loads(out["request"])
        out["results"] = json.loads(out["results"])
        out["environment"] = json.loads(out["environment"]) if out["environment"] else None
        return out

    # ---- vintages --------------------------------------------------------------------

    def vintages(self) -> pd.DataFrame:
        """Return every imported version of every file, oldest first."""
        return self._con.execute(
            "SELECT source, file, sha256, rows, imported_at FROM import_history "
            "ORDER BY source, file, imported_at"
        ).df()

    def known_on(self, day: date) -> Store:
        """Return a view of the store as its files were known on ``day`` (see "Vintages")."""
        view = _Vintage.__new__(_Vintage)
        view.__dict__.update(self.__dict__)
        view._day = datetime(day.year, day.month, day.day) + timedelta(days=1)
        return view


class _Vintage(Store):
    """A read view of a store: each file in the version imported last before a time."""

    _day: datetime

    _CHOSEN = (
        "WITH chosen AS (SELECT h.source, h.file, coalesce(max(h.imported_at) FILTER "
        "(WHERE h.imported_at < ?), min(h.imported_at)) AS at FROM import_history h "
        "GROUP BY ALL) "
    )

    def table(self, name: str) -> pd.DataFrame:
        """Return a canonical table with each file's rows from its chosen version."""
        if name not in schema.TABLES:
            raise NotFoundError(f"no table '{name}' (tables: {', '.join(schema.TABLES)})")
        sql = (
            # Rows of a file without a recorded import (or history) are always current.
            self._CHOSEN + f"SELECT t.* FROM {name} t LEFT JOIN imports i USING (source, file) "
            "LEFT JOIN chosen c USING (source, file) "
            "WHERE c.at IS NULL OR i.imported_at IS NULL OR c.at >= i.imported_at "
            f"UNION ALL SELECT v.* EXCLUDE (vintage) FROM {name}_vintages v "
            "JOIN chosen c ON v.source = c.source AND v.file = c.file AND v.vintage = c.at"
        )
        frame = self._con.execute(sql, [self._day]).df()
        return schema.conform(frame, name)

    def data_hash(self) -> str:
        """Return a hash of the chosen version of every file."""
        sums = self._con.execute(
            self._CHOSEN + "SELECT h.source || '/' || h.file || '=' || h.sha256 "
            "FROM import_history h JOIN chosen c ON h.source = c.source AND h.file = c.file "
            "AND h.imported_at = c.at ORDER BY 1",
            [self._day],
        ).fetchall()
        return sha256_of("\n".join(row[0] for row in sums).encode())[:16]


def _timeout(timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    from gapcast.settings import lock_timeout

    return lock_timeout()


def _is_lock_conflict(err: BaseException) -> bool:
    text = str(err).lower()
    return "lock" in text and ("conflict" in text or "could not set" in text)


def _busy(path: str, timeout: float) -> StoreBusyError:
    return StoreBusyError(
        f"{path}: another process is using the store (waited {timeout:g} s)",
        retry_after=max(1, min(int(timeout) or 1, 5)),
        hint="try again when it is done, or set GAPCAST_LOCK_TIMEOUT to wait longer",
    )


def _retrying(path: str, timeout: float, attempt: Any) -> Any:
    """Call ``attempt()`` until it does not fail on a lock conflict, for ``timeout`` s."""
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        try:
            return attempt()
        except duckdb.Error as err:
            if not _is_lock_conflict(err):
                raise
            left = deadline - time.monotonic()
            if left <= 0:
                raise _busy(path, timeout) from None
            time.sleep(min(pause, left))
            pause = min(pause * 2, MAX_PAUSE_S)


def _connect(path: str, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    if path == ":memory:":
        return duckdb.connect(path)
    con: duckdb.DuckDBPyConnection = _retrying(
        path, timeout, lambda: duckdb.connect(path, read_only=read_only)
    )
    return con


def _snapshot(path: str, timeout: float) -> duckdb.DuckDBPyConnection:
    """Copy every table of the store file into a new in-memory database."""
    try:
        if not Path(path).is_file() or not _current(path, timeout):
            Store(path, timeout=timeout).close()  # create or migrate
        con = duckdb.connect(":memory:")
        quoted = path.replace("'", "''")
        _retrying(path, timeout, lambda: con.execute(f"ATTACH '{quoted}' AS src (READ_ONLY)"))
        try:
            con.execute("BEGIN TRANSACTION")
            for table in _ALL_TABLES:
                con.execute(f"CREATE TABLE main.{table} AS SELECT * FROM src.{table}")
            con.execute("COMMIT")
        finally:
            con.execute("DETACH src")
    except StoreBusyError:
        raise
    except (OSError, duckdb.Error) as err:
        raise StoreError(
            f"{path}: cannot open the store ({_first_line(err)})",
            hint="pass a readable store with --db PATH or GAPCAST_DB",
        ) from None
    return con


def _current(path: str, timeout: float) -> bool:
    """Say whether the store file has every table and column of this version."""
    con = _connect(path, True, timeout)
    try:
        found = {
            str(row[0])
            for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        columns = {
            str(row[0])
            for row in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'runs'"
            ).fetchall()
        }
    finally:
        con.close()
    return set(_ALL_TABLES) <= found and "environment" in columns


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
