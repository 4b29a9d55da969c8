"""Kernel reads: the FX rates in force and the currencies offered."""

from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .models import Currency, ExchangeRate

FX_CACHE_KEY = "fx:current:v1"


def fx_rates_current(*, at=None) -> dict[str, Decimal]:
    """Rates in force (currency -> base units per unit). Cached until a rate changes.

    This is the snapshot an order freezes; pass ``at`` to read the rates of a past moment.
    """
    if at is None:
        cached = cache.get(FX_CACHE_KEY)
        if cached is not None:
            return {code: Decimal(rate) for code, rate in cached.items()}
    moment = at or timezone.now()
    latest = ExchangeRate.objects.filter(currency=OuterRef("pk"), valid_from__lte=moment).order_by(
        "-valid_from"
    )
    rows = (
        Currency.objects.annotate(rate=Subquery(latest.values("rate")[:1]))
        .filter(rate__isnull=False)
        .values_list("code", "rate")
    )
    rates = {code: Decimal(rate) for code, rate in rows}
    rates[settings.BASE_CURRENCY] = Decimal(1)
    if at is None:
        cache.set(FX_CACHE_KEY, {k: str(v) for k, v in rates.items()}, 300)
    return rates


def currencies_offered() -> list[Currency]:
    return list(Currency.objects.filter(is_active=True).order_by("code"))
