"""Use cases that the CLI and the API both call: one orchestration layer, split by stage.

``data`` (ingest, status, fetch, models), ``measure`` (gap), ``forecast`` (forecast,
fit, scenarios, runs), ``trust`` (backtest, sensitivity, what-if, score) and ``report``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gapcast.settings import default_db_path

if TYPE_CHECKING:
    from gapcast.store import Store


def open_store(db: Path | str | None = None) -> Store:
    """Open the store at ``db`` or the default location (``gapcast.settings``).

    The store is read into memory and the file released (``Store.open``): a command
    holds the file only while it reads it and for its final write, if any.
    """
    from gapcast.store import Store  # the package stays light: `gapcast --help` needs none

    return Store.open(db if db is not None else default_db_path())
