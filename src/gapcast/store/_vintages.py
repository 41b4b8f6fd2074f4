"""Vintages: each file as it was known on a date.

Upstream sources revise their files (Epoch refits ECI with each release, so past scores
move). When an import replaces a file, the replaced rows are kept in
``<table>_vintages`` with the time they had been imported, and ``import_history`` lists
every version. A view as of a time shows, for each file, the version imported last before
that time; a file first imported later is shown in its earliest imported version, since
nothing older was ever kept (``docs/data.md``).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

_CHOSEN = (
    "WITH chosen AS (SELECT h.source, h.file, coalesce(max(h.imported_at) FILTER "
    "(WHERE h.imported_at < ?), min(h.imported_at)) AS at FROM import_history h "
    "GROUP BY ALL) "
)


def history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return every imported version of every file, oldest first."""
    return con.execute(
        "SELECT source, file, sha256, rows, imported_at FROM import_history "
        "ORDER BY source, file, imported_at"
    ).df()


def table_rows(con: duckdb.DuckDBPyConnection, name: str, before: datetime) -> pd.DataFrame:
    """Return a canonical table's rows, each file's from its version chosen at ``before``."""
    sql = (
        # Rows of a file without a recorded import (or history) are always current.
        _CHOSEN + f"SELECT t.* FROM {name} t LEFT JOIN imports i USING (source, file) "
        "LEFT JOIN chosen c USING (source, file) "
        "WHERE c.at IS NULL OR i.imported_at IS NULL OR c.at >= i.imported_at "
        f"UNION ALL SELECT v.* EXCLUDE (vintage) FROM {name}_vintages v "
        "JOIN chosen c ON v.source = c.source AND v.file = c.file AND v.vintage = c.at"
    )
    return con.execute(sql, [before]).df()


def file_sums(con: duckdb.DuckDBPyConnection, before: datetime) -> list[str]:
    """Return ``source/file=sha256`` of each file's chosen version, sorted."""
    rows = con.execute(
        _CHOSEN + "SELECT h.source || '/' || h.file || '=' || h.sha256 "
        "FROM import_history h JOIN chosen c ON h.source = c.source AND h.file = c.file "
        "AND h.imported_at = c.at ORDER BY 1",
        [before],
    ).fetchall()
    return [str(row[0]) for row in rows]
