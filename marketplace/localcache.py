"""Values kept in this process's memory: the one helper for in-process caches.

Some reads happen on every page and change rarely (the currencies offered, the FX table, the
warehouse list, the category tree of one storefront version). Going to Redis for them costs
a round trip and an unpickling each time; a copy in process memory costs neither. Each such
copy is a ``LocalCache``:

- ``ttl`` bounds how stale a copy can be (``None``: kept until evicted, for entries whose key
  already carries a version, so a change is a new key);
- ``maxsize`` bounds memory (least recently used entries go first);
- ``get(key, load)`` returns the copy or calls ``load()`` and keeps its result;
  ``refresh=True`` reloads whatever is kept (for "I see an id the copy does not know").

The storage is ``cachetools`` (``TTLCache``/``LRUCache``), which is not thread-safe on its
own: gunicorn's threads share these objects, so every access holds a lock (uncontended,
well under a microsecond). ``load()`` runs outside the lock: two threads missing at once
both load, and the later result is kept; loads are reads, so that is harmless.

The clock is read through ``time.monotonic`` at call time, so a test can move time forward
by patching it.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache, TTLCache

T = TypeVar("T")


def _now() -> float:
    return time.monotonic()


class LocalCache(Generic[T]):
    """A bounded, optionally expiring map kept in process memory (see the module docstring)."""

    _instances: weakref.WeakSet[LocalCache] = weakref.WeakSet()

    def __init__(self, *, maxsize: int = 1, ttl: float | None = None):
        LocalCache._instances.add(self)
        self.ttl = ttl
        self._data: LRUCache = (
            TTLCache(maxsize, ttl, timer=_now) if ttl is not None else LRUCache(maxsize)
        )
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T], *, refresh: bool = False) -> T:
        """The value kept under ``key``, else ``load()`` (kept for next time)."""
        if not refresh:
            with self._lock:
                try:
                    return self._data[key]
                except KeyError:
                    pass
        value = load()
        with self._lock:
            self._data[key] = value
        return value

    def put(self, key: Hashable, value: T) -> None:
        """Keep ``value`` under ``key`` (replacing what was kept)."""
        with self._lock:
            self._data[key] = value

    def peek(self, key: Hashable, default: T | None = None) -> T | None:
        """The value kept under ``key`` if it is still fresh, else ``default`` (no load)."""
        with self._lock:
            return self._data.get(key, default)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    @classmethod
    def clear_all(cls) -> None:
        """Empty every copy in this process (tests that count queries start from the same
        state each time; a copy expiring between two counts would look like a new query)."""
        for instance in list(cls._instances):
            instance.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)
