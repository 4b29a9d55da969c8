"""The payments app's row locks (docs/ARCHITECTURE.md, "Lock order", slot 7: the payment).

One PaymentIntent pays every order of a checkout, so the payment comes after the checkout
(slot 6) and before its orders (slot 8). A payment's refunds are written only under its
lock, so they need none of their own: two refunds of one payment take turns, and the second
counts the first against what is left to refund.

Call these inside ``transaction.atomic``; the lock lasts until it ends.
"""

from __future__ import annotations

from marketplace.locking import for_update
from payments.models import Payment


def lock_payment(payment_id: int) -> Payment:
    """Lock payment ``payment_id`` (and so its refunds) for this transaction."""
    return for_update(Payment.objects).get(pk=payment_id)
