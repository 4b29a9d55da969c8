"""The shopper's display currency: which one a request shows prices in, and the switch.

The choice lives in a cookie (not the session) so an anonymous shopper's page needs no
session lookup. A missing, unknown or rate-less choice falls back to the language default
(``settings.DEFAULT_DISPLAY_CURRENCY``), and that to the base currency.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_name, get_currency_symbol
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from .localcache import LocalCache
from .models import Currency
from .money import Money, MoneyError, convert, format_money, round_money
from .selectors import fx_rates_current

COOKIE_NAME = "silkway_currency"
COOKIE_AGE = 365 * 24 * 3600
OFFERED_CACHE_KEY = "fx:offered:v1"
OFFERED_TTL = 300


# Read on every page: a copy in process memory for a few seconds saves the round trip.
LOCAL_TTL = 10.0
_offered: LocalCache[list[str]] = LocalCache(ttl=LOCAL_TTL)
_display_rates: LocalCache[tuple[dict[str, Decimal], str]] = LocalCache(ttl=LOCAL_TTL)


def currencies_displayable() -> list[str]:
    """Codes a shopper may pick: active currencies that have a rate in force (cached 5 min,
    and for ``LOCAL_TTL`` seconds in process memory)."""
    return _offered.get("codes", _load_offered)


def _load_offered() -> list[str]:
    codes = cache.get(OFFERED_CACHE_KEY)
    if codes is None:
        rates = fx_rates_current()
        codes = [
            code
            for code in Currency.objects.filter(is_active=True)
            .order_by("code")
            .values_list("code", flat=True)
            if code in rates
        ]
        cache.set(OFFERED_CACHE_KEY, codes, OFFERED_TTL)
    return codes


def _load_display_rates() -> tuple[dict[str, Decimal], str]:
    rates = fx_rates_current()
    fingerprint = hashlib.blake2b(repr(sorted(rates.items())).encode(), digest_size=6).hexdigest()
    return rates, fingerprint


def rates_for_display() -> dict[str, Decimal]:
    """``fx_rates_current()`` with a copy kept in process memory for ``LOCAL_TTL`` seconds:
    prices on pages may lag a new rate by that much. Orders freeze their own rates."""
    return _display_rates.get("rates", _load_display_rates)[0]


def display_rates_fingerprint() -> str:
    """A short digest of the FX table prices are shown at, and of the currencies offered.

    Cached pages and page fragments carry it in their keys, so a new rate or a newly offered
    currency shows everywhere within ``LOCAL_TTL`` seconds, whatever the pages' own TTLs.
    """
    fingerprint = _display_rates.get("rates", _load_display_rates)[1]
    return f"{fingerprint}.{'-'.join(currencies_displayable())}"


def default_display_currency(language: str | None = None) -> str:
    language = language or get_language() or settings.LANGUAGE_CODE
    return settings.DEFAULT_DISPLAY_CURRENCY.get(language, settings.BASE_CURRENCY)


def display_currency(request) -> str:
    """The currency ``request`` shows prices in (cookie, else the language default)."""
    cached = getattr(request, "_display_currency", None)
    if cached:
        return cached
    offered = currencies_displayable()
    chosen = (request.COOKIES.get(COOKIE_NAME) or "").upper()
    if chosen not in offered:
        chosen = default_display_currency()
        if chosen not in offered:
            chosen = settings.BASE_CURRENCY
    request._display_currency = chosen
    return chosen


@require_GET
def switch_currency(request, code: str):
    """Show prices in ``code`` from now on and go back to the page (a plain GET link, like
    the language switch: it only sets a cookie)."""
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    code = code.upper()
    if code in currencies_displayable():
        response.set_cookie(
            COOKIE_NAME, code, max_age=COOKIE_AGE, samesite="Lax", secure=request.is_secure()
        )
    return response


_LOCALES = {"zh-hans": "zh_Hans_CN", "en": "en_US"}


@lru_cache(maxsize=4096)
def money_text(amount: Decimal, currency: str, language: str) -> str:
    """``format_money`` memoised (the same few prices are formatted over and over).

    On Chinese pages a foreign amount reads ``12.50美元`` rather than ``US$12.50``: the
    symbol's Latin letters would be the only non-Chinese text on the page.
    """
    if language == "zh-hans" and currency != "CNY":
        return format_currency(
            round_money(amount, currency), currency, locale="zh_Hans_CN", format_type="name"
        )
    return format_money(Money(amount, currency), language)


@lru_cache(maxsize=64)
def currency_label(code: str, language: str) -> str:
    """How the currency switch names a currency: ``美元`` / ``$ USD``."""
    locale = _LOCALES.get(language, "en_US")
    if language == "zh-hans":
        return get_currency_name(code, locale=locale)
    symbol = get_currency_symbol(code, locale=locale)
    return f"{symbol} {code}" if symbol != code else code


def price_in(
    amount: Decimal, currency: str, *, display: str, rates: dict[str, Decimal]
) -> Money | None:
    """``amount`` of ``currency`` in the display currency at the operator's rates (rounded
    half-up once, in ``convert``), or None when a rate is missing."""
    try:
        return convert(Money(amount, currency), display, rates, base=settings.BASE_CURRENCY)
    except MoneyError:
        return None
