"""The embedded DuckDB store: the only package that imports ``duckdb`` or holds SQL.

``Store`` (``gapcast.store.Store``) is the one entry point; its parts live in modules by
responsibility:

- ``_ddl``: the tables (one per canonical table of ``gapcast.schema``, ``imports``,
  ``import_history``, ``runs``, ``<table>_vintages``), creating and migrating them;
- ``_files``: opening a file, lock conflicts retried with backoff, in-memory copies;
- ``_imports``: an import as one transaction, replaced rows kept as vintages;
- ``_vintages``: each file as it was known on a date;
- ``_runs``: stored runs;
- ``_core``: ``Store`` itself, tying them together.

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

from gapcast.store._core import Store
from gapcast.store._files import MAX_PAUSE_S
from gapcast.store._imports import FileImport, ImportAction, ImportResult, sha256_of

__all__ = ["MAX_PAUSE_S", "FileImport", "ImportAction", "ImportResult", "Store", "sha256_of"]
