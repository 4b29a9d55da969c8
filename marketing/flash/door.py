"""The flash sale at the front door (``marketplace.frontdoor``): "sold out" without Django's
request cycle.

After the last unit, every "grab it" (``POST /<lang>/flash/item/<id>/take/``) gets the same
answer, signed in or not: the "sold out" message and a redirect back (``flash_take``). That is
about 95 % of a rush's attempts, and Django's middleware was three quarters of their cost
(docs/PERFORMANCE.md). Here the gate is read first (``flash_sold_out``, the view's own read)
and, when it says sold out, the view's own answer (``flash_sold_out_answer``) is given with
the message in the messages cookie, as Django's message storage writes it for one message.
That answer is the same for every attempt with the same language and way back, so the door
builds it once and keeps it (``Route.key``).
Everything else goes on to Django untouched: units left, no gate, Redis unreachable (the
admission then refuses: the sale stops), and a request that already carries a messages
cookie (Django's storage keeps those messages with the new one).

No CSRF check and no session: the answer changes nothing, and is the same for everyone
(docs/SECURITY.md, "The front door").
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation

from marketplace.frontdoor import Route
from marketplace.localcache import LocalCache

from ..views import flash_sold_out_answer
from .services import flash_sold_out

_COOKIE_FIRST = {
    "django.contrib.messages.storage.fallback.FallbackStorage",
    "django.contrib.messages.storage.cookie.CookieStorage",
}
_PLACEHOLDER = 987_654_321  # an item id no URL of the pattern below contains otherwise

# Items the gate said were sold out, remembered in this process for a moment: during a rush
# most attempts then cost no Redis read at all (the HGET was half of a sold-out answer's CPU).
# Nobody is ever admitted from it (an admission always goes through the gate), so it cannot
# oversell; a unit given back meanwhile (an admission expired or cancelled) is offered by this
# process at most SOLD_OUT_SEEN_SECONDS later.
SOLD_OUT_SEEN_SECONDS = 1.0
_SOLD_OUT_SEEN: LocalCache[bool] = LocalCache(maxsize=1024, ttl=SOLD_OUT_SEEN_SECONDS)


def sold_out_seen_forget() -> None:
    """Forget which items this process saw sold out (tests: a flushed database reuses ids)."""
    _SOLD_OUT_SEEN.clear()


def take_pattern() -> re.Pattern[str]:
    """``flash:take`` in every language, reversed from the URLconf (the path is not written
    out a second time): ``/<lang>/<the route with the item id>``."""
    if settings.MESSAGE_STORAGE not in _COOKIE_FIRST:
        raise ImproperlyConfigured("the flash door writes messages as the cookie storage does")
    codes = [code for code, _name in settings.LANGUAGES]
    rests = set()
    for code in codes:
        with translation.override(code):
            path = reverse("flash:take", args=[_PLACEHOLDER])
        prefix = f"/{code}/"
        if not path.startswith(prefix):
            raise ImproperlyConfigured(f"flash:take is not under {prefix}: {path}")
        rests.add(path[len(prefix) :])
    if len(rests) != 1:
        raise ImproperlyConfigured(f"flash:take differs between languages: {rests}")
    rest = re.escape(rests.pop()).replace(str(_PLACEHOLDER), "(?P<pk>[0-9]+)")
    languages = "|".join(re.escape(code) for code in codes)
    return re.compile(f"/(?P<lang>{languages})/{rest}")


def sold_out(request, *, lang: str, pk: str):
    """When the gate says ``pk`` has no unit left, what the answer depends on (the language,
    and what ``_back`` reads: ``next``, the host, HTTPS; not the item), so the door keeps one
    answer per such key; else ``None`` (Django answers)."""
    if CookieStorage.cookie_name in request.COOKIES:
        return None
    item_id = int(pk)
    if not _SOLD_OUT_SEEN.peek(item_id):
        if not flash_sold_out(item_id):
            return None
        _SOLD_OUT_SEEN.get(item_id, lambda: True)
    return lang, request.POST.get("next") or "", request.get_host(), request.is_secure()


def sold_out_answer(request, *, lang: str, pk: str):
    """The view's sold-out answer (``flash_sold_out_answer``), its message in the cookie."""
    # What MessageMiddleware sets (Django's default storage is this cookie first, the session
    # only for what does not fit in it; one message always fits, so no session is read).
    request._messages = CookieStorage(request)
    with translation.override(lang):
        request.LANGUAGE_CODE = lang
        response = flash_sold_out_answer(request)
        request._messages.update(response)
    response.headers.setdefault("Content-Language", lang)  # LocaleMiddleware's
    return response


SOLD_OUT = Route(method="POST", pattern=take_pattern, key=sold_out, answer=sold_out_answer)
