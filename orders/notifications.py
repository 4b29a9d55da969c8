"""Order emails to the shopper (payment received, order cancelled, refund; a parcel held at
customs, out for delivery, delivered or in trouble), in the language
they checked out in, sent by a worker on the ``notifications`` queue through the outbox.

Services call ``enqueue_order_email(order, kind)`` **inside** the transaction that made the
change (``checkout_pay``, ``order_cancel``, ``order_refund``): the outbox row commits or rolls
back with it, and one row is kept per order and kind (per refund for refunds), so a retried
service or a duplicated webhook mails once. The handler is ``orders.outbox.send_order_email``.
"""

from __future__ import annotations

from marketplace.outbox import outbox_enqueue
from orders.models import Order, OrderEmail

ORDER_EMAIL = "orders.order_email"
KINDS = frozenset(OrderEmail.Kind.values)


def order_email_key(order_id: int, kind: str, reference: str = "") -> str:
    return f"order-email:{kind}:{order_id}" + (f":{reference}" if reference else "")


def enqueue_order_email(
    order: Order, kind: str, *, refund=None, amount=None, reference: str = ""
) -> None:
    """Write the outbox message for ``kind`` (``OrderEmail.Kind``) of ``order``. For a
    refund pass ``refund`` (a payments ``Refund`` or its id: one email per refund) and, if it
    is not the refund's, the ``amount`` refunded (a ``Money`` or a Decimal in the order's
    currency); for a parcel's news its id as ``reference`` (one email per parcel and kind)."""
    if kind not in KINDS:
        raise ValueError(f"unknown order email kind {kind!r}")
    if refund is not None:
        reference = str(getattr(refund, "pk", refund))
    if amount is None and refund is not None:
        amount = getattr(refund, "amount", None)
    value = getattr(amount, "amount", amount)
    outbox_enqueue(
        kind=ORDER_EMAIL,
        payload={
            "order_id": order.pk,
            "kind": kind,
            "reference": reference,
            "amount": None if value is None else str(value),
        },
        key=order_email_key(order.pk, kind, reference),
    )
