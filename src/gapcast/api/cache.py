"""A bounded, thread-safe, in-process LRU cache with single flight.

The API caches finished results (forecasts, gaps, model listings) by everything that
determines them, the data hash included, so an import makes old entries unreachable
rather than wrong. ``get_or_compute`` runs the computation at most once per key at a
time: concurrent requests for the same key wait for the first one instead of repeating
it (eight dashboard users asking for the same forecast cost one engine run).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LRUCache(Generic[V]):
    """Least-recently-used cache holding at most ``maxsize`` entries.

    Parameters
    ----------
    maxsize
        Entries kept; the least recently used is evicted first. ``0`` disables caching.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = max(0, maxsize)
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def get(self, key: Hashable) -> V | None:
        """Return the cached value (and mark it recently used), or ``None``."""
        with self._lock:
            if key not in self._data:
                return None
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key: Hashable, value: V) -> None:
        """Store a value, evicting the least recently used entries beyond ``maxsize``."""
        if self.maxsize == 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._data.clear()

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> tuple[V, bool]:
        """Return ``(value, cached)``; compute and store the value on a miss.

        Errors raised by ``compute`` propagate and nothing is stored.
        """
        found = self.get(key)
        if found is not None:
            with self._lock:
                self.hits += 1
            return found, True
        with self._lock:
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            found = self.get(key)
            if found is not None:
                with self._lock:
                    self.hits += 1
                return found, True
            try:
                value = compute()
                self.put(key, value)
            finally:
                with self._lock:
                    self._flights.pop(key, None)
            with self._lock:
                self.misses += 1
            return value, False
