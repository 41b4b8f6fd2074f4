"""Importing parsed files: one transaction over all of them, replaced rows kept as vintages.

An import is one transaction over all its files: either every file's rows replace that
file's earlier rows, or (on any error) nothing changes. Re-importing a file whose sha256
is unchanged is a no-op. When a file is replaced, its earlier rows move to
``<table>_vintages`` with the time they had been imported, and ``import_history`` gets
the new version (``gapcast.store._vintages`` reads them back).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import duckdb

from gapcast import schema
from gapcast.errors import StoreBusyError
from gapcast.sources.base import Parsed

ImportAction = Literal["imported", "replaced", "unchanged"]


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


def known_files(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, int]]:
    """Return ``(source, file) -> (sha256, rows)`` of every imported file."""
    rows = con.execute("SELECT source, file, sha256, rows FROM imports").fetchall()
    return {(str(s), str(f)): (str(h), int(n)) for s, f, h, n in rows}


def write_files(
    con: duckdb.DuckDBPyConnection, files: Iterable[FileImport], now: datetime
) -> list[ImportResult]:
    """Write each changed file inside the caller's transaction; return what was done."""
    known = known_files(con)
    results: list[ImportResult] = []
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
            replace(con, item, now)
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
    return results


def replace(con: duckdb.DuckDBPyConnection, item: FileImport, now: datetime) -> None:
    """Replace one file's rows (its earlier ones kept as a vintage) and record it."""
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
