"""Demo shipping terms: the default network comes from the data migration (seed.py); here
the demo merchants get free-shipping thresholds, set through the service as a merchant
would. Idempotent: a merchant that already has terms is left alone."""

from __future__ import annotations

from merchants.models import Merchant

from .models import MerchantShipping
from .services import free_shipping_threshold_set

THRESHOLDS = [
    # merchant slug, amount, currency
    ("silkway-global", "199.00", "CNY"),  # the self-operated store: 满199包邮
    ("kiwi-nature", "60.00", "AUD"),
    # tokyo-beauty charges shipping on every order
]


def seed_shipping_demo() -> None:
    """Give the demo merchants their free-shipping thresholds (once)."""
    for slug, amount, currency in THRESHOLDS:
        merchant = Merchant.objects.filter(slug=slug).first()
        if merchant and not MerchantShipping.objects.filter(merchant=merchant).exists():
            free_shipping_threshold_set(merchant=merchant, amount=amount, currency=currency)
