"""Dependencies of the API routes: settings, the store, caches (all overridable in tests).

The store
---------
DuckDB lets one process write a database file, or any number read it, but not both: the
API therefore never computes on the file. ``StoreProvider`` keeps an in-memory copy of
the store (``Store.open``), refreshed when the file changes on disk (its inode, size or
modification time); requests read the copy through their own cursor, so a ``gapcast``
command in another process can write at any time, and the API holds the file only for
the tens of milliseconds a refresh takes. If the file is busy at a refresh, requests are
answered from the previous copy. The token-guarded import parses its files first and
opens the file for writing only for its one transaction. A lock held by another process
for longer than ``OPEN_RETRY_S`` gives 503 with ``Retry-After``, never 500. The API never
writes otherwise: forecasts made over HTTP are not stored as runs; their response carries
everything needed to reproduce them (scenario hash, overrides, seed, draws, data hash,
version).

The data hash (the key of every result cache) comes with the copy, so a cached answer
needs no database access at all. Canonical tables are memoised per data hash too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import Depends, Request

from gapcast.api.cache import LRUCache
from gapcast.api.jobs import JobQueue
from gapcast.defaults import DRAWS
from gapcast.errors import NotAvailableError, StoreBusyError
from gapcast.store import FileImport, ImportResult, Store
from gapcast.usecases import estimate

log = logging.getLogger("gapcast.api")

OPEN_RETRY_S = 2.0
"""How long a request retries a store file another process holds (then 503)."""


@dataclass(frozen=True)
class ApiSettings:
    """How the API is configured (``create_app`` arguments, read once at startup).

    Attributes
    ----------
    db_path
        The store file.
    token
        Bearer token that enables and guards ``POST /api/data/import``; ``None`` disables
        import over HTTP (the route then answers 404).
    max_draws
        Upper bound of ``draws`` in a forecast request.
    default_draws
        Draws of a forecast request that names none.
    cache_size
        Forecasts kept in the in-process LRU cache (other results keep a quarter of it).
    engine_slots
        Forecasts computed at once; more requests wait (the engine uses every core).
    import_root
        The only folder ``POST /api/data/import`` reads under; ``None``: it reads nothing.
    job_workers
        Background analyses (backtest, sensitivity, what-if) run at once; 0 queues them
        without running them (tests).
    max_body_bytes
        Largest request body accepted (413 beyond).
    """

    db_path: Path
    token: str | None = None
    max_draws: int = 200_000
    default_draws: int = DRAWS
    cache_size: int = 256
    engine_slots: int = 1
    import_root: Path | None = None
    job_workers: int = 1
    max_body_bytes: int = 64 * 1024


class _Memo:
    """Canonical tables of one data hash (the latest seen), shared by requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hash: str | None = None
        self._tables: dict[str, pd.DataFrame] = {}

    def table(self, store: Store, data_hash: str, name: str) -> pd.DataFrame:
        with self._lock:
            if self._hash != data_hash:
                self._hash, self._tables = data_hash, {}
            found = self._tables.get(name)
        if found is None:
            found = Store.table(store, name)
            with self._lock:
                if self._hash == data_hash:
                    self._tables[name] = found
        # Copies, so no request can change what another one reads.
        return found.copy()


class ReadStore(Store):
    """A cursor over the provider's in-memory copy, its tables memoised per data hash."""

    _memo: _Memo
    _hash: str

    @classmethod
    def over(cls, snapshot: Store, memo: _Memo, data_hash: str) -> ReadStore:
        """Return a view of ``snapshot`` with its own cursor (one per request)."""
        view = cls.__new__(cls)
        view.__dict__.update(snapshot.cursor().__dict__)
        view._memo, view._hash = memo, data_hash
        return view

    def data_hash(self) -> str:
        """Return the data hash (read once when the copy was made)."""
        return self._hash

    def table(self, name: str) -> pd.DataFrame:
        """Return a canonical table (memoised)."""
        return self._memo.table(self, self._hash, name)


class StoreProvider:
    """Serves requests from an in-memory copy of the store, refreshed when the file changes.

    The file is read only to refresh the copy (tens of milliseconds) and written only for
    an import's final transaction; no computation holds it. When another process holds
    the file while the copy should be refreshed, requests keep being answered from the
    previous copy; only a server that has never read the store answers 503 then.
    """

    def __init__(self, path: Path, *, timeout: float = OPEN_RETRY_S) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._memo = _Memo()
        self._file_lock = threading.Lock()
        self._signature: tuple[Any, ...] | None = None
        self._copy: tuple[Store, str] | None = None

    def _check_exists(self) -> None:
        if not self.path.is_file():
            raise NotAvailableError(
                f"{self.path}: no store here yet",
                hint="import data first: gapcast --db PATH data import DIR",
            )

    def _signature_now(self) -> tuple[Any, ...]:
        out: list[Any] = []
        for path in (self.path, Path(f"{self.path}.wal")):
            try:
                st = path.stat()
                out.append((st.st_ino, st.st_mtime_ns, st.st_size))
            except OSError:
                out.append(None)
        return tuple(out)

    def _current(self) -> tuple[Store, str]:
        """Return the in-memory copy and its data hash, refreshed if the file changed."""
        self._check_exists()
        signature = self._signature_now()
        if signature != self._signature or self._copy is None:
            with self._file_lock:
                if signature != self._signature or self._copy is None:
                    self._refresh(signature)
        assert self._copy is not None
        return self._copy

    def _refresh(self, signature: tuple[Any, ...]) -> None:
        try:
            fresh = Store.open(self.path, timeout=self.timeout)
        except StoreBusyError:
            if self._copy is None:
                raise
            log.info("%s is busy; serving the previous copy", self.path)
            return
        # The previous copy is not closed: requests may still read it through their
        # cursors; it is freed when the last of them closes.
        self._copy, self._signature = (fresh, fresh.data_hash()), signature

    @contextmanager
    def read(self) -> Iterator[Store]:
        """Yield a read-only view of the store's latest copy (no file is held)."""
        snapshot, data_hash = self._current()
        store = ReadStore.over(snapshot, self._memo, data_hash)
        try:
            yield store
        finally:
            store.close()

    def import_files(self, files: list[FileImport]) -> list[ImportResult]:
        """Write parsed files in one transaction (the file is held only for it)."""
        with self._file_lock:
            with Store(self.path, timeout=self.timeout) as store:
                results = store.import_files(files)
            self._signature = None
        return results

    def data_hash(self) -> str:
        """Return the data hash of the latest copy of the store."""
        return self._current()[1]

    def fits_key(self) -> str:
        """Return the key of the fitted posteriors cached next to the store file.

        It changes when ``gapcast fit`` writes a posterior (``estimate.fits_key``), so every
        result that may use one is computed afresh from the next request on.
        """
        return estimate.fits_key(self.path)


@dataclass
class Services:
    """Everything the routes share: settings, the store provider, caches, engine slots."""

    settings: ApiSettings
    provider: StoreProvider
    forecasts: LRUCache[bytes]
    results: LRUCache[Any]
    engine: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(1))
    request_keys: LRUCache[Any] = field(default_factory=lambda: LRUCache(1024))
    jobs: JobQueue = field(default_factory=JobQueue)
    heavy: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(1))
    """The slot of the side analyses (comparison, sensitivity, backtest, what-if): apart from
    ``engine``, so a forecast, the dashboard's headline, never queues behind one of them."""

    @classmethod
    def create(cls, settings: ApiSettings) -> Services:
        """Build the services of one app."""
        return cls(
            settings,
            StoreProvider(settings.db_path),
            LRUCache(settings.cache_size),
            LRUCache(max(settings.cache_size // 4, 0)),
            threading.Semaphore(max(settings.engine_slots, 1)),
            LRUCache(4 * max(settings.cache_size, 0)),
            JobQueue(settings.job_workers),
        )


def get_services(request: Request) -> Services:
    """Return the app's services (override in tests with ``app.dependency_overrides``)."""
    services: Services = request.app.state.services
    return services


def get_jobs(request: Request) -> JobQueue:
    """Return the app's job queue."""
    return get_services(request).jobs


def read_store(services: Annotated[Services, Depends(get_services)]) -> Iterator[Store]:
    """Yield the store, read-only, for one request."""
    with services.provider.read() as store:
        yield store
