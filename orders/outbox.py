"""Orders' outbox handlers: what an order change causes outside its transaction.

``orders.refund`` (written by ``orders.services.paying.refund_enqueue``: a cancellation, a
refund, a payment that came too late) gives money back through
``payments.services.payment_refund``, keyed by the refund's own reference, so a repeated
delivery finds the first refund and makes no second one.
"""

from __future__ import annotations

from marketplace.money import Money
from marketplace.outbox import outbox_handler
from orders.models import Checkout
from orders.services.paying import REFUND_ORDER
from payments.models import Payment
from payments.services import payment_refund


@outbox_handler(REFUND_ORDER)
def refund_order(payload: dict) -> str:
    """Refund ``payload["amount"]`` of the checkout's payment for one order; the refund's
    status. A checkout without a payment has nothing to refund."""
    checkout = Checkout.objects.get(pk=payload["checkout_id"])
    payment = Payment.objects.filter(reference=checkout.number).first()
    if payment is None:
        return "no payment"
    refund = payment_refund(
        payment=payment,
        amount=Money(payload["amount"], payload["currency"]),
        reference=payload["reference"],
        reason=payload.get("reason", ""),
    )
    return refund.status
