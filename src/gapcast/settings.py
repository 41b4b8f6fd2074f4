"""Settings read from the environment, once, at the edge.

Each setting is declared once here with its help text; ``docs/settings.md`` documents
them and a test checks that every one is documented.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from gapcast.paths import state_dir


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
        "GAPCAST_STATE_DIR",
        "Folder of writable state such as calibrated values (default: the store's folder when "
        "GAPCAST_DB is set, else the per-user data folder).",
    ),
    Setting(
        "GAPCAST_CACHE_DIR",
        "Folder of rebuildable caches such as compiled Numba kernels (default: the per-user "
        "cache folder).",
    ),
    Setting(
        "GAPCAST_LOCK_TIMEOUT",
        "Seconds a command retries when another process holds the store's lock (default 30).",
    ),
    Setting(
        "GAPCAST_IMPORT_ROOT",
        "The only folder HTTP data import may read from (default: GAPCAST_DATA; unset: none).",
    ),
    Setting(
        "GAPCAST_DASK_SCHEDULER",
        "Address of an existing Dask scheduler that sweeps run on (overridden by --scheduler).",
    ),
)

DEFAULT_LOCK_TIMEOUT: Final = 30.0
"""Seconds a command waits for the store's lock by default."""


def default_db_path() -> Path:
    """Return the store location: ``$GAPCAST_DB``, else the per-user data folder."""
    explicit = os.environ.get("GAPCAST_DB")
    if explicit:
        return Path(explicit)
    return state_dir() / "gapcast.duckdb"


def lock_timeout() -> float:
    """Return how long a command retries a store another process holds (seconds)."""
    raw = os.environ.get("GAPCAST_LOCK_TIMEOUT")
    try:
        return max(float(raw), 0.0) if raw else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


def import_root() -> Path | None:
    """Return the folder HTTP import may read under, or ``None`` (HTTP import reads nothing)."""
    raw = os.environ.get("GAPCAST_IMPORT_ROOT") or os.environ.get("GAPCAST_DATA")
    return Path(raw) if raw else None


def api_token() -> str | None:
    """Return the bearer token for HTTP data import, or None when import is disabled."""
    return os.environ.get("GAPCAST_API_TOKEN") or None


def dask_scheduler() -> str | None:
    """Return the Dask scheduler address sweeps run on, or None for a local cluster."""
    return os.environ.get("GAPCAST_DASK_SCHEDULER") or None
