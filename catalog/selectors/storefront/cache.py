"""Storefront caching: key shapes, lifetimes, and the process-memory copy of small reads.

Every storefront cache key carries the storefront version
(``marketplace.cacheversion.storefront_version``); a bump retires them all at once. Each
entry also has a TTL below, the bound on staleness for anything a bump missed.
docs/STOREFRONT.md, "Caching", lists the keys.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from marketplace.localcache import LocalCache

T = TypeVar("T")

PAGE_SIZE = 24
MAX_CACHED_IDS = 1000  # search results kept per query: ~40 pages; deeper pages query live

TREE_TTL = 3600
LIST_TTL = 120
SEARCH_TTL = 300
CARD_TTL = 600
DETAIL_TTL = 300
MISSING = "missing"  # cached marker for "no such visible product"

# Small, hot, rarely changing reads (the category tree, brands, facets) are also kept in
# process memory under their versioned key: no network round trip, no unpickling. A bump
# changes the key, so this copy can never outlive the version it was read under; no TTL.
LOCAL_MAX = 512
_local: LocalCache = LocalCache(maxsize=LOCAL_MAX)


def cached_small(key: str, ttl: int, load: Callable[[], T]) -> T:
    """Process memory, then the shared cache, then ``load()`` (stored in both).

    ``key`` must carry the storefront version (``cache_key``)."""

    def from_shared_cache() -> T:
        value = cache.get(key)
        if value is None:
            value = load()
            cache.set(key, value, ttl)
        return value

    return _local.get(key, from_shared_cache)


_SAFE_KEY = re.compile(r"^[A-Za-z0-9_:.,|-]{0,150}$")


def cache_key(kind: str, version: int, *parts) -> str:
    """``sf:<kind>:<version>:<parts>``; shopper-typed or long parts are hashed so any cache
    backend accepts the key."""
    raw = ":".join(str(p) for p in parts)
    if not _SAFE_KEY.match(raw):
        raw = hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    return f"sf:{kind}:{version}:{raw}"


def fragment_cache_key(version: int, name: str, *parts) -> str:
    """Key of a rendered page fragment (views cache those; they carry the version too)."""
    return cache_key("frag", version, name, *parts)
