"""One bounded cache for the service: least recently used entries go first.

Every in-memory table of the service is an :class:`LRUCache` (fleets, pass answers,
opportunities, map grids, settlement-service plans), so none grows without bound.
:meth:`LRUCache.get_or_compute` computes a missing value once even when many threads ask
for it at the same time; ``limit`` bounds how many different missing values are computed
at once (beyond it :class:`Busy` is raised at once, never a queue that grows).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class Busy(RuntimeError):
    """Too many different results are being computed at once; ask again shortly."""


class LRUCache:
    """A thread-safe mapping of at most ``maxsize`` entries, least recently used evicted.

    ``limit``: most different keys computed at once by :meth:`get_or_compute` (None: no
    bound)."""

    def __init__(self, maxsize: int, limit: int | None = None):
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.limit = limit
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._data

    def get(self, key: Hashable, default=None):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return default

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]):
        """The value at ``key``, computed by ``compute()`` if missing (once: a second
        caller for the same key waits for the first's answer). An exception in
        ``compute`` is raised to its caller and nothing is stored."""
        missing = object()
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            gate = self._pending.get(key)
            if gate is None:
                if self.limit is not None and len(self._pending) >= self.limit:
                    raise Busy(f"{len(self._pending)} other results are being computed")
                gate = self._pending[key] = threading.Lock()
        with gate:
            value = self.get(key, missing)
            if value is not missing:
                return value
            try:
                value = compute()
                self.put(key, value)
                return value
            finally:
                with self._lock:
                    if self._pending.get(key) is gate:
                        del self._pending[key]
