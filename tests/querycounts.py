"""Query-count pins for pages and endpoints: a page issues a fixed number of queries,
however many rows it lists (no query per row), and no more than its pin.

``assert_queries(client, url, grow=..., pin=...)`` calls ``grow()`` to add rows the page
lists (so prefetches that only run for a non-empty list run), requests the page once to
warm the caches every page shares (FX rates, currencies), counts the queries of a second
request, calls ``grow()`` again, counts again, and fails if the count grew with the rows or
passes the pin. A pin is the number measured when it was written: lower it when
a page gets cheaper, never raise it without saying why in the commit.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.localcache import LocalCache


def count_queries(client, url: str, *, method: str = "get", ok=(200,), **kwargs) -> int:
    # every count starts with empty process-memory copies (they refill from the shared
    # cache): a copy whose TTL ran out between two counts must not look like a new query
    LocalCache.clear_all()
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, **kwargs)
    assert response.status_code in ok, (url, response.status_code)
    return len(captured)


def assert_queries(
    client,
    url: str,
    *,
    pin: int,
    grow: Callable[[], object] | None = None,
    method: str = "get",
    ok=(200,),
    **kwargs,
) -> int:
    if grow is not None:
        grow()
    count_queries(client, url, method=method, ok=ok, **kwargs)  # warm the shared caches
    first = count_queries(client, url, method=method, ok=ok, **kwargs)
    if grow is not None:
        grow()
        again = count_queries(client, url, method=method, ok=ok, **kwargs)
        assert again == first, f"{url}: {first} queries, {again} with more rows (a query per row)"
    assert first <= pin, f"{url}: {first} queries, pinned at {pin}"
    return first
