"""Stored runs: forecasts and analyses with the request, results and install that made them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from gapcast.errors import NotFoundError

_COLUMNS = (
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
)


def insert(
    con: duckdb.DuckDBPyConnection,
    *,
    kind: str,
    scenario: str | None,
    scenario_hash: str | None,
    data_hash: str,
    seed: int | None,
    version: str,
    request: Mapping[str, Any],
    results: Mapping[str, Any],
    environment: Mapping[str, Any],
) -> int:
    """Insert a run and return its id."""
    now = datetime.now(UTC).replace(tzinfo=None)
    row = con.execute(
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
    assert row is not None
    return int(row[0])


def listing(con: duckdb.DuckDBPyConnection, kind: str | None = None) -> pd.DataFrame:
    """Return stored runs (without their results), newest first."""
    sql = "SELECT id, kind, scenario, scenario_hash, data_hash, seed, version, created_at FROM runs"
    params: list[Any] = []
    if kind is not None:
        sql += " WHERE kind = ?"
        params.append(kind)
    return con.execute(sql + " ORDER BY id DESC", params).df()


def one(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, Any]:
    """Return one stored run with its request and results."""
    row = con.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM runs WHERE id = ?",
        [run_id],
    ).fetchone()
    if row is None:
        raise NotFoundError(
            f"no stored run with id {run_id}", hint="`gapcast runs list` shows the stored runs"
        )
    out = dict(zip(_COLUMNS, row, strict=True))
    out["request"] = json.loads(out["request"])
    out["results"] = json.loads(out["results"])
    out["environment"] = json.loads(out["environment"]) if out["environment"] else None
    return out
