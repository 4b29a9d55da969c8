"""Payments' outbox handlers: announce a paid or failed payment and a refund to the layers
above, through the signals of ``payments.signals``.

The services write ``payments.succeeded`` / ``payments.failed`` / ``payments.refunded`` in
the transaction of the state change, keyed ``payment:<id>:succeeded``,
``payment:<id>:failed:<event id>`` (one per failed attempt) and ``refund:<id>:succeeded``,
so each is written once. Delivery is at least once: receivers are idempotent. A receiver
that raises fails the delivery, and the outbox retries it with backoff.
"""

from __future__ import annotations

from marketplace.outbox import outbox_handler

from .models import Payment, Refund
from .services import FAILED, REFUNDED, SUCCEEDED
from .signals import payment_failed, payment_succeeded, refund_succeeded


@outbox_handler(SUCCEEDED)
def announce_payment_succeeded(payload: dict) -> bool:
    """``payment_succeeded`` for ``payload["payment_id"]`` (False if it is gone)."""
    payment = Payment.objects.filter(pk=payload["payment_id"]).first()
    if payment is None:
        return False
    payment_succeeded.send(sender=Payment, payment=payment)
    return True


@outbox_handler(FAILED)
def announce_payment_failed(payload: dict) -> bool:
    """``payment_failed`` for ``payload["payment_id"]``."""
    payment = Payment.objects.filter(pk=payload["payment_id"]).first()
    if payment is None:
        return False
    payment_failed.send(sender=Payment, payment=payment)
    return True


@outbox_handler(REFUNDED)
def announce_refund_succeeded(payload: dict) -> bool:
    """``refund_succeeded`` for ``payload["refund_id"]``."""
    refund = Refund.objects.select_related("payment").filter(pk=payload["refund_id"]).first()
    if refund is None:
        return False
    refund_succeeded.send(sender=Refund, refund=refund)
    return True
