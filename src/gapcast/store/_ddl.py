"""The store's tables: their DDL, the list a current store has, and creating or migrating them.

- one table per canonical table of ``gapcast.schema`` (``models``, ``scores``,
  ``compute``, ``organizations``, ``hardware``); every row carries the ``source`` and
  ``file`` it came from;
- ``imports``: provenance, one row per imported file (source, file, sha256, rows,
  licence, url, imported_at);
- ``import_history``: every version of every file ever imported, with its import time;
  ``<table>_vintages`` keep the rows of versions since replaced (``gapcast.store._vintages``);
- ``runs``: stored forecast and analysis runs (kind, scenario hash, data hash, seed,
  code version, request and results as JSON, the install that made them).
"""

from __future__ import annotations

import duckdb

from gapcast import schema

IMPORTS_DDL = """
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

HISTORY_DDL = """
CREATE TABLE IF NOT EXISTS import_history (
    source VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows INTEGER NOT NULL,
    license VARCHAR,
    url VARCHAR,
    imported_at TIMESTAMP NOT NULL
)"""

RUNS_DDL = """
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

ALL_TABLES = (
    *schema.TABLES,
    "imports",
    "import_history",
    "runs",
    *(f"{t}_vintages" for t in schema.TABLES),
)
"""Every table of a current store (a store without one of them is migrated on open)."""


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create every missing table (and column) of a current store; keep what is there."""
    for table, spec in schema.TABLES.items():
        columns = ", ".join(f'"{name}" {sql}' for name, (sql, _, _) in spec.items())
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
    con.execute(IMPORTS_DDL)
    con.execute(HISTORY_DDL)
    con.execute(RUNS_DDL)
    for table in schema.TABLES:
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {table}_vintages AS "
            f"SELECT *, NULL::TIMESTAMP AS vintage FROM {table} LIMIT 0"
        )
    # A store from before vintages: its current files are the first versions known.
    con.execute(
        "INSERT INTO import_history SELECT * FROM imports WHERE NOT EXISTS "
        "(SELECT 1 FROM import_history)"
    )


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Say whether the database has every table and column of this version."""
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
    return set(ALL_TABLES) <= found and "environment" in columns
