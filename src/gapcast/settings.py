"""Settings read from the environment, once, at the edge.

Each setting is declared once here with its help text; ``docs/settings.md`` documents
them and a test checks that every one is documented.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final


@dataclass(frozen=True)
class Setting:
    """An environment variable gapcast reads."""

    env: str
    help: str


SETTINGS: Final[tuple[Setting, ...]] = (
    Setting("GAPCAST_DB", "Path of the DuckDB store file (overridden by --db)."),
    Setting("GAPCAST_DATA", "Folder of the upstream data files (the offline mirror)."),
    Setting("GAPCAST_API_TOKEN", "Bearer token that enables and guards data import over HTTP."),
    Setting("XDG_DATA_HOME", "Base folder of the default store location."),
    Setting(
        "GAPCAST_DASK_SCHEDULER",
        "Address of an existing Dask scheduler that sweeps run on (overridden by --scheduler).",
    ),
)


def default_db_path() -> Path:
    """Return the store location: ``$GAPCAST_DB``, else the XDG data folder."""
    explicit = os.environ.get("GAPCAST_DB")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "gapcast" / "gapcast.duckdb"


def api_token() -> str | None:
    """Return the bearer token for HTTP data import, or None when import is disabled."""
    return os.environ.get("GAPCAST_API_TOKEN") or None


def dask_scheduler() -> str | None:
    """Return the Dask scheduler address sweeps run on, or None for a local cluster."""
    return os.environ.get("GAPCAST_DASK_SCHEDULER") or None
