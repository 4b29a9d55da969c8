"""Kernel writes: setting exchange rates."""

from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Currency, ExchangeRate
from .money import to_decimal
from .rules import field_error
from .selectors import FX_CACHE_KEY


def exchange_rate_check(*, currency: str) -> None:
    """Refuse a rate for the base currency (``settings.BASE_CURRENCY``): one yuan is one
    yuan, and every other rate is counted in it. Raises ``ValidationError`` on ``currency``;
    ``exchange_rate_set`` calls it, and forms call it to show the message on the field."""
    code = (currency or "").upper()
    if code == settings.BASE_CURRENCY.upper():
        raise field_error(
            "currency",
            _(
                "%(code)s is the base currency: every rate is counted in it, so its own "
                "rate is always 1 and cannot be set."
            )
            % {"code": code},
            "base_currency_rate",
        )


@transaction.atomic
def exchange_rate_set(
    *, currency: str, rate: Decimal | str, by=None, valid_from=None
) -> ExchangeRate:
    """Record a new rate for ``currency`` (base units per unit), effective from ``valid_from``.
    The base currency has no rate of its own (``exchange_rate_check``)."""
    exchange_rate_check(currency=currency)
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
