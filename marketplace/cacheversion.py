"""Cache versions: one number that every key of a family of cache entries carries.

Bumping the number makes every entry of the family stale at once, whatever it is and
wherever it was cached (Redis, process memory, the page cache), without finding and
deleting keys. The storefront is such a family: ``storefront_version`` numbers every
storefront read, rendered fragment and cached page. It lives in the kernel so that any app
can make cached storefront pages stale (``merchants`` does when a merchant is suspended,
reinstated or renamed) without importing ``catalog``, which reads and caches them.

A missing number (first use, eviction, a flushed cache) starts from the clock, so a number
is never reused and nothing read under an old one can come back.

Within one request a view may *pin* the number (``version.pinned(n)``, or the ``pin``
decorator), so that every read on the page uses the same one and costs no extra cache read.
``read_with(make_keys)`` reads the number and the entries keyed by it in one round trip.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.core.cache import cache
from django.db import transaction


class CacheVersion:
    """The version number of one family of cache entries, stored under ``key``."""

    def __init__(self, key: str):
        self.key = key
        self._pinned: ContextVar[int | None] = ContextVar(f"cache_version_{key}", default=None)
        # The number this process saw last: a guess that lets a page read the number and the
        # entries keyed by it in one round trip. Only ever a guess, checked in that same read.
        self._last_seen: int | None = None
        self._after_commit = self.bump  # one object, so a transaction schedules it once

    def current(self) -> int:
        """The current number (the pinned one inside ``pinned``)."""
        pinned = self._pinned.get()
        if pinned is not None:
            return pinned
        version = cache.get(self.key)
        if version is None:
            cache.add(self.key, time.time_ns() // 1000, None)
            version = cache.get(self.key)
        self._last_seen = version
        return version

    @contextmanager
    def pinned(self, version: int):
        """Within the block, ``current()`` is ``version`` (no cache read)."""
        token = self._pinned.set(version)
        try:
            yield version
        finally:
            self._pinned.reset(token)

    def is_pinned(self) -> bool:
        return self._pinned.get() is not None

    def pin(self, view):
        """Decorator for read-only views: the number is read once per request."""

        @wraps(view)
        def wrapper(*args, **kwargs):
            if self.is_pinned():  # already pinned by an outer layer (the page cache)
                return view(*args, **kwargs)
            with self.pinned(self.current()):
                return view(*args, **kwargs)

        return wrapper

    def read_with(self, make_keys: Callable[[int], list[str]]) -> tuple[int, dict]:
        """The current number and the cache entries ``make_keys(number)`` names.

        One ``get_many`` carries the version key and the keys built from the number this
        process saw last; when it has not moved (nearly always) that is the only round trip.
        When it has, the entries are read again under the new number. Nothing is served
        under a number other than the current one: there is no staleness here.
        """
        guess = self._pinned.get() or self._last_seen
        version = None
        if guess is not None:
            found = cache.get_many([self.key, *make_keys(guess)])
            version = found.pop(self.key, None)
            if version == guess:
                return version, found
        if version is None:  # first read in this process, or no number yet (starts one)
            version = self.current()
        self._last_seen = version
        return version, cache.get_many(make_keys(version))

    def bump(self) -> None:
        """Make every entry of the family stale (call after a change readers must see)."""
        try:
            cache.incr(self.key)
        except ValueError:  # no number yet: the next read starts a fresh one
            self.current()

    def bump_for_write(self) -> None:
        """Bump for a row written in the current transaction: now, and again on commit.

        Now, so that the writer's own reads in the transaction are not served from entries
        made before the change. On commit too (once per transaction however many rows
        change), because between the first bump and the commit another connection still
        reads the old rows and may cache them under the new number; the second bump retires
        those. Outside a transaction both bumps happen at once.
        """
        self.bump()
        connection = transaction.get_connection()
        if not connection.in_atomic_block:
            return
        # ``run_on_commit`` holds (savepoint ids, callback, robust) per scheduled callback
        if any(entry[1] is self._after_commit for entry in connection.run_on_commit):
            return
        transaction.on_commit(self._after_commit)


#: Every storefront read, fragment and page carries this number (catalog.selectors.storefront).
storefront_version = CacheVersion("sf:version")


def storefront_cache_version() -> int:
    """The current storefront version; every storefront cache key carries it."""
    return storefront_version.current()


def storefront_cache_bump() -> None:
    """Make every cached storefront read and page stale (after a change shoppers must see).

    Call it on commit (``transaction.on_commit(storefront_cache_bump)``): bumped earlier, a
    reader could cache the old rows again under the new number before the change commits.
    """
    storefront_version.bump()
