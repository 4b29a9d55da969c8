"""Whole-page cache for anonymous visitors, with live holes.

A shopper who has not signed in sees the same storefront page as every other such shopper
with the same URL, language and display currency. Those pages are kept whole in the cache
(Redis in production) and served with one cache read. What must never be cached (the
product page's stock) is left as a *live slot* in the stored page and filled in on every
request, cached copy or not: the page is cached with a hole, the hole is rendered live.

Who gets a cached page (``anonymous_request``): a GET with no session cookie (so not signed
in, and nothing in a session such as flash messages) and no flash-message cookie. Everyone
else gets the page rendered for them, as before.

What is stored (``storable``): a 200 that sets no cookie, did not ask for a CSRF token
(a page with a form that posts is personal), used no CSP nonce and queued no message. The response always says
``Vary: Cookie``: the page differs by the visitor's cookies (currency, session).

The key (``page_key``) is the path with its query string, the language and whatever else the
caller names (storefront: display currency, FX-table digest, storefront version), hashed.
docs/STOREFRONT.md, "Caching", has the TTLs and what each page may lag by.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

_SLOT = re.compile(rb"<!--live:([A-Za-z0-9_-]+)-->")


def anonymous_request(request: HttpRequest) -> bool:
    """True for a GET that may be answered from the page cache (see the module docstring).

    Decided from the cookies alone: no session or user lookup on the way to a cached page.
    """
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
    )


def page_key(namespace: str, request: HttpRequest, *parts) -> str:
    """The cache key of ``request``'s page: path + query, language, ``parts``."""
    raw = "\n".join((request.get_full_path(), get_language() or "", *map(str, parts)))
    return f"page:{namespace}:{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"


def live_slot(name: str) -> SafeString:
    """A hole in a page, filled per request by the view's ``live`` function (``name``:
    letters, digits, ``_``, ``-``)."""
    return mark_safe(f"<!--live:{name}-->")  # noqa: S308 - a constant marker


def csrf_input(request: HttpRequest) -> SafeString:
    """The visitor's CSRF token as a form's hidden input, for a live slot: a cached page's
    forms get a token masked afresh for each response (and the CSRF cookie, when the
    visitor has none yet), while the page itself holds no one's token."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    """True when nothing in ``response`` belongs to this one visitor."""
    messages = getattr(request, "_messages", None)
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(messages, "added_new", False)
        and "private" not in cache_control
        and "no-store" not in cache_control
        # A page whose inline code carries this response's CSP nonce is for this response
        # only (django-csp's lazy nonce is truthy once used): a copy would carry a stale one.
        and not getattr(request, "csp_nonce", None)
    )


@dataclass(frozen=True)
class CachedPage:
    """A rendered page split at its live slots: literal bytes at even positions, slot names
    at odd ones. ``meta`` is what the page's ``live`` function needs to fill the slots."""

    parts: tuple
    content_type: str
    meta: dict = field(default_factory=dict)

    @classmethod
    def of(cls, response: HttpResponse, meta: dict | None = None) -> CachedPage:
        pieces = _SLOT.split(response.content)
        parts = tuple(p.decode() if i % 2 else p for i, p in enumerate(pieces))
        return cls(parts, response["Content-Type"], meta or {})

    @property
    def has_slots(self) -> bool:
        return len(self.parts) > 1

    def body(self, live: dict[str, str] | None = None) -> bytes:
        """The page, its slots filled from ``live`` (slot name -> HTML; missing: empty)."""
        if not self.has_slots:
            return self.parts[0]
        live = live or {}
        return b"".join(live.get(p, "").encode() if i % 2 else p for i, p in enumerate(self.parts))

    def response(self, live: dict[str, str] | None = None) -> HttpResponse:
        """The page as a response (``Vary: Cookie``), slots filled from ``live``."""
        response = HttpResponse(self.body(live), content_type=self.content_type)
        patch_vary_headers(response, ("Cookie",))
        return response
