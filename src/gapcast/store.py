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

An import is one transaction over all its files: either every file's rows replace that
file's earlier rows, or (on any error) nothing changes. Re-importing a file whose sha256
is unchanged is a no-op.

The default location is ``$GAPCAST_DB`` if set, else ``$XDG_DATA_HOME/gapcast/gapcast.duckdb``
(``~/.local/share/gapcast/gapcast.duckdb``); see ``gapcast.settings``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

from gapcast import schema
from gapcast.errors import NotFoundError, StoreError
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
)"""


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

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._con = duckdb.connect(self.path, read_only=read_only)
            if not read_only:
                self._create()
        except (OSError, duckdb.Error) as err:
            raise StoreError(
                f"{self.path}: cannot open the store ({_first_line(err)})",
                hint="pass a writable location with --db PATH or GAPCAST_DB",
            ) from None

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
        self._con.execute(_RUNS_DDL)

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

    def import_files(self, files: Iterable[FileImport]) -> list[ImportResult]:
        """Import parsed files in one transaction; unchanged files are left alone.

        A file whose (source, file) was imported before with another sha256 has its
        earlier rows deleted and replaced. If anything fails, nothing changes.
        """
        known = {
            (str(row["source"]), str(row["file"])): (str(row["sha256"]), int(row["rows"]))
            for row in self.imports().to_dict(orient="records")
        }
        results: list[ImportResult] = []
        now = datetime.now(UTC).replace(tzinfo=None)
        try:
            with self._transaction() as con:
                for item in files:
                    key = (item.parsed.source, item.parsed.file)
                    previous = known.get(key)
                    action: ImportAction
                    rows = item.parsed.rows
                    if previous is not None and previous[0] == item.sha256:
                        action, rows = "unchanged", previous[1]
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
        except (duckdb.Error, ValueError, TypeError) as err:
            raise StoreError(
                f"{self.path}: import failed, nothing was changed ({_first_line(err)})"
            ) from None
        return results

    def _replace(self, con: duckdb.DuckDBPyConnection, item: FileImport, now: datetime) -> None:
        source, file = item.parsed.source, item.parsed.file
        for table in schema.TABLES:
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
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?)",
            [source, file, item.sha256, item.parsed.rows, item.license, item.url, now],
        )

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
    ) -> int:
        """Store a run and return its id."""
        now = datetime.now(UTC).replace(tzinfo=None)
        try:
            row = self._con.execute(
                "INSERT INTO runs (kind, scenario, scenario_hash, data_hash, seed, version, "
                "request, results, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
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
            "results, created_at FROM runs WHERE id = ?",
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
        ]
        out = dict(zip(keys, row, strict=True))
        out["request"] = json.loads(out["request"])
        out["results"] = json.loads(out["results"])
        return out


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
