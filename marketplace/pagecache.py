"""Whole-page cache, shared by every visitor, with live holes.

A storefront page is the same for every visitor with the same URL, language and display
currency, signed in or not: what is personal (the header's cart link and account menu, flash
messages, CSRF tokens, a CSP nonce) is never in the page but in a *live slot*, a hole filled on
every response, cached copy or not. Those pages are kept whole in the cache (Redis in
production) and served with one cache read; the holes cost what their fill costs (for a
signed-in shopper: the session, their cached account menu and cart count, all cache reads).

While a view runs for the page cache (``share``), the personal template tags
(``marketplace.templatetags.personal``: ``{% personal_nav %}``, ``{% flash_messages %}``,
``{% csp_nonce %}``) write their slot instead of their content; ``personal_live`` fills them.
On every other page the same tags render their content in place, from the same code.

Who gets a cached page (``cacheable_request``): a GET with no flash-message cookie (a session
cookie is no reason to bypass it any more: the page holds nothing of the session). Messages
waiting always come with the message cookie, even when some overflowed into the session
(Django's ``FallbackStorage`` leaves a "not finished" marker in the cookie), so no session is
read to decide. Everyone else gets the page rendered, holes filled the same way.

What is stored (``storable``): a 200 that sets no cookie, did not ask for a CSRF token (a form
that posts gets its token from a slot), **did not open the session** (nothing in the page can
then come from the visitor's session or user: a template that looked at ``user`` is caught
here), used no CSP nonce, and queued or showed no message. The response always says
``Vary: Cookie``.

The key (``page_key``) is the path with its query string, the language and whatever else the
caller names (storefront: display currency, FX-table digest, storefront version), hashed.
docs/STOREFRONT.md, "Caching", has the TTLs and what each page may lag by.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from marketplace import sharing
from marketplace.localcache import LocalCache

_SLOT = re.compile(rb"<!--live:([A-Za-z0-9_-]+)-->")


def cacheable_request(request: HttpRequest) -> bool:
    """True for a GET that may be answered from the page cache (see the module docstring).

    Decided from the cookies alone: no session or user lookup on the way to a cached page.
    """
    # an empty cookie is one a response deleted (a client may still send it): no messages
    return request.method == "GET" and not request.COOKIES.get(CookieStorage.cookie_name)


def share(request: HttpRequest, shared: bool = True) -> None:
    """Mark ``request`` as rendering a shared page (the personal tags write slots) or not."""
    request._pagecache_shared = shared


def is_shared(request) -> bool:
    return getattr(request, "_pagecache_shared", False)


def page_key(namespace: str, request: HttpRequest, *parts) -> str:
    """The cache key of ``request``'s page: path + query, language, ``parts``."""
    raw = "\n".join((request.get_full_path(), get_language() or "", *map(str, parts)))
    return f"page:{namespace}:{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"


def live_slot(name: str) -> SafeString:
    """A hole in a page, filled per request by the view's ``live`` function (``name``:
    letters, digits, ``_``, ``-``)."""
    return mark_safe(f"<!--live:{name}-->")  # noqa: S308 - a constant marker


def session_key_to_read(request: HttpRequest) -> str | None:
    """The cache key of the visitor's session, to read in the same round trip as the page
    (``marketplace.sessions``); None without a session cookie, or when sessions are not kept
    in the page cache's cache."""
    session = getattr(request, "session", None)
    prefetch_key = getattr(session, "prefetch_key", None)
    if prefetch_key is None or not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return None
    if settings.SESSION_CACHE_ALIAS != "default":
        return None
    return prefetch_key()


def session_found(request: HttpRequest, found: dict, key: str | None) -> None:
    """Hand the session read with the page (under ``key``) to the visitor's session."""
    if key is not None:
        request.session.prefetched(found.get(key))


# Per process, what the last fill of a page read (page key -> its live slots' keys) and of a
# session (session key -> the account menu's keys, the cart count's...): asked for again in the
# page's own round trip (``keys_to_read_with``), so a warm page needs no second one. Only a
# guess of which keys to read: what is read is checked as before (the menu against the session).
PREDICTED_MAX = 4096
_page_live_keys: LocalCache[tuple] = LocalCache(maxsize=PREDICTED_MAX)
_session_keys: LocalCache[tuple] = LocalCache(maxsize=PREDICTED_MAX)


def keys_to_read_with(page_key: str, session_key: str | None) -> list[str]:
    """The keys the page at ``page_key`` and the session at ``session_key`` read along last
    time in this process (none the first time)."""
    keys = list(_page_live_keys.peek(page_key, ()))
    if session_key is not None:
        keys += _session_keys.peek(session_key, ())
    return keys


def remember_live_keys(page_key: str, keys) -> None:
    _page_live_keys.put(page_key, tuple(keys))


def remember_session_keys(request: HttpRequest, keys) -> None:
    """What the visitor's account menu read along (by ``accounts.menu``), for next time."""
    session_key = session_key_to_read(request)
    if session_key is not None:
        _session_keys.put(session_key, tuple(keys))


def read_with_page(request: HttpRequest, found: dict, keys) -> None:
    """Keep what the page's round trip read of ``keys`` (None: read and not found)."""
    request._pagecache_prefetched = {key: found.get(key) for key in keys}


def prefetched(request: HttpRequest) -> dict:
    """What this request's page round trip read besides the page (``read_with_page``)."""
    return getattr(request, "_pagecache_prefetched", {})


def read_along(request: HttpRequest, keys) -> None:
    """Ask for ``keys`` to be read in the same cache round trip as the visitor's account menu
    (``accounts.menu.menu_of``); what was found is in ``request.account_prefetched``. A page's
    live slots use it for what they read on every request (the product page's stock)."""
    request._pagecache_read_along = list(keys)


def read_along_keys(request: HttpRequest) -> list[str]:
    return getattr(request, "_pagecache_read_along", [])


def read_along_user(request: HttpRequest, keys_of) -> None:
    """Like ``read_along``, for keys that name the signed-in user (``keys_of(user_id)``): read
    in the same round trip as their account menu, once the session has told who they are."""
    request._pagecache_read_along_user = [
        *getattr(request, "_pagecache_read_along_user", []),
        keys_of,
    ]


def read_along_user_keys(request: HttpRequest, user_id) -> list[str]:
    return [
        key
        for keys_of in getattr(request, "_pagecache_read_along_user", [])
        for key in keys_of(user_id)
    ]


def slot_meta(request: HttpRequest) -> dict:
    """What a template tag that left a live slot needs to fill it (the share buttons' title and
    path), kept with the cached page's ``meta`` (``storefront_page`` merges it)."""
    meta = getattr(request, "_pagecache_slot_meta", None)
    if meta is None:
        meta = request._pagecache_slot_meta = {}
    return meta


NAV_SLOT = "nav"
MESSAGES_SLOT = "messages"
NONCE_SLOT = "csp-nonce"


def personal_live(request: HttpRequest, slots, meta: dict | None = None) -> dict[str, str]:
    """The personal slots among ``slots`` filled for ``request``: the header's cart link and
    account menu, the flash messages, the CSP nonce, the share buttons (``meta``: the page's,
    ``slot_meta``). Each is rendered by the same code that renders it in place on pages that
    are not shared (``render_nav``, ``render_messages``, ``sharing.buttons_html``)."""
    live = {}
    if sharing.SLOT in slots:
        # a distributor's code is read in the same round trip as their menu (before the nav)
        read_along_user(request, sharing.user_keys)
    if NAV_SLOT in slots:
        live[NAV_SLOT] = render_nav(request)
    if MESSAGES_SLOT in slots:
        # no message cookie, no message (see the module docstring): the storage is not read
        has_messages = bool(request.COOKIES.get(CookieStorage.cookie_name))
        live[MESSAGES_SLOT] = render_messages(request) if has_messages else ""
    if NONCE_SLOT in slots:
        live[NONCE_SLOT] = nonce_of(request)
    if sharing.SLOT in slots:
        live[sharing.SLOT] = sharing.share_live(request, meta or {})
    return live


def nonce_of(request: HttpRequest) -> str:
    """This response's CSP nonce ("" without django-csp). Reading it makes django-csp put it
    in the response's header (its lazy nonce is falsy until read: no ``or`` here)."""
    nonce = getattr(request, "csp_nonce", None)
    return "" if nonce is None else str(nonce)


def render_nav(request: HttpRequest) -> str:
    """The header's personal part: cart link, account menu (``includes/personal_nav.html``)."""
    return get_template("includes/personal_nav.html").render({"request": request})


def render_messages(request: HttpRequest) -> str:
    """The flash messages waiting for ``request`` (shown once: reading them consumes them)."""
    return get_template("includes/messages.html").render({"messages": get_messages(request)})


def csrf_input(request: HttpRequest) -> SafeString:
    """The visitor's CSRF token as a form's hidden input, for a live slot: a cached page's
    forms get a token masked afresh for each response (and the CSRF cookie, when the
    visitor has none yet), while the page itself holds no one's token. One masking per
    response: every form of the page carries the same masked token."""
    html = getattr(request, "_pagecache_csrf_input", None)
    if html is None:
        html = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
        request._pagecache_csrf_input = html
    return html


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    """True when nothing in ``response`` belongs to this one visitor."""
    messages = getattr(request, "_messages", None)
    session = getattr(request, "session", None)
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        # whatever read the session (the user, a cart token, a preference) made it personal
        and not getattr(session, "accessed", False)
        and not getattr(messages, "added_new", False)
        and not getattr(messages, "used", False)
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

    @property
    def slots(self) -> frozenset[str]:
        return frozenset(self.parts[1::2])

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
