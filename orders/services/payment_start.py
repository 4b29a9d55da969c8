"""Starting the payment of a placed checkout (after ``checkout_place`` committed: no call to
the payment service is made inside the placing transaction)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from marketplace.money import Money
from orders.models import Checkout
from payments.models import Payment
from payments.services import payment_start

from .checkout import is_china_import


def checkout_payment(*, checkout: Checkout) -> Payment:
    """The checkout's one payment (a PaymentIntent for its total in its currency), created
    once: calling again returns the same payment. Imports into China name the payer (their
    identity goes to the payment, and the raw exchanges with the provider are kept for
    customs)."""
    destination = checkout.address.get("country", "")
    imports = any(
        is_china_import(destination, mode)
        for mode in checkout.orders.values_list("clearance_mode", flat=True)
    )
    return payment_start(
        reference=checkout.number,
        amount=Money(checkout.total, checkout.currency),
        description=_("Silkway checkout %(number)s") % {"number": checkout.number},
        email=checkout.email,
        payer_name=checkout.payer_name if imports else "",
        payer_id_number=checkout.payer_id_number if imports else "",
        keep_raw=imports,
        metadata={"checkout": checkout.number},
    )
