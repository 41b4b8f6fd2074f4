"""A small, bounded, thread-safe memo for what the use cases derive from the data.

Interactive use (the dashboard's sliders) asks for many forecasts of the same data with
different assumptions. What is derived from the data alone (the measured inputs, which
posterior file belongs to it) is the same for all of them, so it is kept here, keyed by
the data's content hash (or its vintage's), never by a path or a time: an import gives a
new hash, so stale entries are never reached and fall out as the oldest.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """Keeps the ``maxsize`` most recently used values; ``get_or_compute`` fills it."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = max(maxsize, 1)
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        """Return the value of ``key``, computing and keeping it on a miss.

        Errors raised by ``compute`` propagate and nothing is kept. Two threads missing
        the same key at once may both compute it (the values are equal; one is kept).
        """
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = compute()
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._data.clear()
