"""Kernel writes: setting exchange rates."""

from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .models import Currency, ExchangeRate
from .money import to_decimal
from .selectors import FX_CACHE_KEY


@transaction.atomic
def exchange_rate_set(
    *, currency: str, rate: Decimal | str, by=None, valid_from=None
) -> ExchangeRate:
    """Record a new rate for ``currency`` (base units per unit), effective from ``valid_from``."""
    value = to_decimal(rate)
    if value <= 0:
        raise ValueError("rate must be positive")
    row = ExchangeRate.objects.create(
        currency=Currency.objects.get(pk=currency.upper()),
        rate=value,
        valid_from=valid_from or timezone.now(),
        set_by=by,
    )
    transaction.on_commit(lambda: cache.delete(FX_CACHE_KEY))
    return row


def personal_data_reveal(*, obj, field: str, by, purpose: str) -> str:
    """Return the plain value of an encrypted ``field`` of ``obj`` and audit who saw it."""
    from .models import PersonalDataAccess

    PersonalDataAccess.objects.create(
        actor=by if getattr(by, "is_authenticated", False) else None,
        subject_type=obj._meta.label,
        subject_id=str(obj.pk),
        field=field,
        purpose=purpose[:200],
    )
    return getattr(obj, field)
