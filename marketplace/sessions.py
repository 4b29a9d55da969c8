"""The session engine (``SESSION_ENGINE`` with Redis): Django's ``cached_db``, plus a way for a
caller that reads the cache anyway to read the visitor's session in the same round trip.

The page cache (``marketplace.pagecache.session_read_along``) asks for ``prefetch_key()`` beside
the page and hands what it found to ``prefetched()``; the session's first use then takes it
instead of reading the cache again. What is handed over is exactly what ``load()`` would have
read (the same key of the same cache), so expiry and invalidation are Django's own.
"""

from __future__ import annotations

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore


class SessionStore(CachedDBStore):
    _handed = None

    def prefetch_key(self) -> str | None:
        """The cache key holding this session; None when the visitor sent no valid session
        key (none is made up: that would start a session)."""
        key = self.session_key
        return self.cache_key_prefix + key if key else None

    def prefetched(self, data: dict | None) -> None:
        """What the caller found under ``prefetch_key()``: None (a miss) changes nothing."""
        self._handed = data

    def load(self):
        data, self._handed = self._handed, None
        if data is not None:
            return data
        return super().load()
