"""``Store``: the store's one entry point, over a DuckDB file or an in-memory copy of it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from gapcast import schema
from gapcast.errors import NotFoundError, StoreBusyError, StoreError
from gapcast.store import _ddl, _files, _imports, _runs, _vintages
from gapcast.store._imports import FileImport, ImportResult, sha256_of


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
        self._timeout = _files.lock_timeout(timeout)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._con = _files.connect(self.path, read_only, self._timeout)
            if not read_only:
                _ddl.create(self._con)
        except StoreBusyError:
            raise
        except (OSError, duckdb.Error) as err:
            raise StoreError(
                f"{self.path}: cannot open the store ({_files.first_line(err)})",
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
        store._timeout = _files.lock_timeout(timeout)
        store._con = store._snapshot()
        return store

    def _snapshot(self) -> duckdb.DuckDBPyConnection:
        assert self._file is not None
        file, timeout = self._file, self._timeout
        return _files.snapshot(file, timeout, lambda: Store(file, timeout=timeout).close())

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
        fresh = self._snapshot()
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
        now = now or datetime.now(UTC).replace(tzinfo=None)
        try:
            with self._transaction() as con:
                return _imports.write_files(con, files, now)
        except StoreBusyError:
            raise
        except (duckdb.Error, ValueError, TypeError) as err:
            raise StoreError(
                f"{self.path}: import failed, nothing was changed ({_files.first_line(err)})"
            ) from None

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
        _check_table(name)
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
        try:
            return _runs.insert(
                self._con,
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
        except duckdb.Error as err:
            raise StoreError(
                f"{self.path}: cannot store the run ({_files.first_line(err)})"
            ) from None

    def runs(self, kind: str | None = None) -> pd.DataFrame:
        """Return stored runs (without their results), newest first."""
        return _runs.listing(self._con, kind)

    def run(self, run_id: int) -> dict[str, Any]:
        """Return one stored run with its request and results."""
        return _runs.one(self._con, run_id)

    # ---- vintages --------------------------------------------------------------------

    def vintages(self) -> pd.DataFrame:
        """Return every imported version of every file, oldest first."""
        return _vintages.history(self._con)

    def known_on(self, day: date) -> Store:
        """Return a view of the store as its files were known on ``day`` (see "Vintages")."""
        view = _Vintage.__new__(_Vintage)
        view.__dict__.update(self.__dict__)
        view._day = datetime(day.year, day.month, day.day) + timedelta(days=1)
        return view


class _Vintage(Store):
    """A read view of a store: each file in the version imported last before a time."""

    _day: datetime

    def table(self, name: str) -> pd.DataFrame:
        """Return a canonical table with each file's rows from its chosen version."""
        _check_table(name)
        return schema.conform(_vintages.table_rows(self._con, name, self._day), name)

    def data_hash(self) -> str:
        """Return a hash of the chosen version of every file."""
        return sha256_of("\n".join(_vintages.file_sums(self._con, self._day)).encode())[:16]


def _check_table(name: str) -> None:
    if name not in schema.TABLES:
        raise NotFoundError(f"no table '{name}' (tables: {', '.join(schema.TABLES)})")


__all__ = ["FileImport", "ImportResult", "Store", "sha256_of"]
