"""Dependencies of the API routes: settings, the store, caches (all overridable in tests).

The store
---------
DuckDB lets one process write a database file, or any number read it, but not both: the
API therefore opens the store **read-only, per request** (``StoreProvider.read``), and
closes it afterwards, so a ``gapcast`` command in another process can write between
requests. Within the server a readers-writer lock lets any number of requests read at once
while the token-guarded import (``StoreProvider.write``) waits for them and runs alone.
The API never writes otherwise: forecasts made over HTTP are not stored as runs; their
response carries everything needed to reproduce them (scenario hash, overrides, seed,
draws, data hash, version).

The data hash (the key of every result cache) is re-read only when the store's files
change on disk (their size or modification time), so a cached answer needs no database
access at all. Canonical tables read from the store are memoised per data hash too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import Depends, Request

from gapcast.api.cache import LRUCache
from gapcast.defaults import DRAWS
from gapcast.errors import NotAvailableError, StoreError
from gapcast.store import Store

OPEN_RETRY_S = 2.0
"""How long a request retries opening a store another process is writing."""


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
    """

    db_path: Path
    token: str | None = None
    max_draws: int = 200_000
    default_draws: int = DRAWS
    cache_size: int = 256
    engine_slots: int = 1


class ReadWriteLock:
    """Many readers or one writer; a waiting writer holds back new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting_writers = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the lock shared."""
        with self._cond:
            while self._writing or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the lock exclusively."""
        with self._cond:
            self._waiting_writers += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


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
    """A read-only store whose canonical tables are memoised per data hash."""

    def __init__(self, path: Path, memo: _Memo) -> None:
        super().__init__(path, read_only=True)
        self._memo = memo
        self._hash = Store.data_hash(self)

    def data_hash(self) -> str:
        """Return the data hash (read once when the store was opened)."""
        return self._hash

    def table(self, name: str) -> pd.DataFrame:
        """Return a canonical table (memoised)."""
        return self._memo.table(self, self._hash, name)


class StoreProvider:
    """Opens the store for each request: read-only and shared, or writable and alone."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock = ReadWriteLock()
        self._memo = _Memo()
        self._hash_lock = threading.Lock()
        self._signature: tuple[Any, ...] | None = None
        self._hash: str | None = None

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
                out.append((st.st_mtime_ns, st.st_size))
            except OSError:
                out.append(None)
        return tuple(out)

    def _open(self) -> ReadStore:
        self._check_exists()
        deadline = time.monotonic() + OPEN_RETRY_S
        while True:
            try:
                return ReadStore(self.path, self._memo)
            except StoreError as err:
                if time.monotonic() >= deadline:
                    raise NotAvailableError(
                        err.message, hint="another process may be writing the store; try again"
                    ) from None
                time.sleep(0.05)

    @contextmanager
    def read(self) -> Iterator[Store]:
        """Yield the store opened read-only (closed afterwards)."""
        with self.lock.reading():
            store = self._open()
            try:
                yield store
            finally:
                store.close()

    @contextmanager
    def write(self) -> Iterator[Store]:
        """Yield the store opened for writing, with every reader of this server held off."""
        with self.lock.writing():
            store = Store(self.path)
            try:
                yield store
            finally:
                store.close()
                with self._hash_lock:
                    self._signature = None

    def data_hash(self) -> str:
        """Return the data hash, re-read only when the store's files changed on disk."""
        signature = self._signature_now()
        with self._hash_lock:
            if signature == self._signature and self._hash is not None:
                return self._hash
        with self.read() as store:
            value = store.data_hash()
        with self._hash_lock:
            self._signature, self._hash = signature, value
        return value


@dataclass
class Services:
    """Everything the routes share: settings, the store provider, caches, engine slots."""

    settings: ApiSettings
    provider: StoreProvider
    forecasts: LRUCache[bytes]
    results: LRUCache[Any]
    engine: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(1))
    request_keys: LRUCache[Any] = field(default_factory=lambda: LRUCache(1024))
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
        )


def get_services(request: Request) -> Services:
    """Return the app's services (override in tests with ``app.dependency_overrides``)."""
    services: Services = request.app.state.services
    return services


def read_store(services: Annotated[Services, Depends(get_services)]) -> Iterator[Store]:
    """Yield the store, read-only, for one request."""
    with services.provider.read() as store:
        yield store
