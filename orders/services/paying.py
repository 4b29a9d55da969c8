"""A checkout's payment succeeded: every order of it is paid, in one transaction.

``checkout_pay`` is what the receiver of ``payments.signals.payment_succeeded`` calls (the
signal comes at least once, after the payment committed: so it is idempotent). Locks, down
the lock order: the checkout (slot 6: expiry takes it too, so the two never cross), the
orders (8), the stock rows only on a late payment (9), the payer's quota ledger (10).

- The orders move ``awaiting_payment → paid`` (``ORDER_FLOW`` "pay", one event each).
- Their allocations turn from ``reserved`` to ``allocated`` (expiry cleared): the units stay
  reserved in stock until they ship (``stock_ship``).
- Each import into China counts towards the payer's yearly quota
  (``customs.services.quota_record_usage``, the order's number as reference, the frozen
  estimate's ``yearly_counted``): the ledger counts an order once it is paid.
- The checkout is ``paid``.

**Late payment** (decision): a payment that succeeds after its checkout expired (3-D Secure
finished after the reservation ran out) takes the stock again if all of it is still there
(``stock_reserve``, all or none): the orders move ``cancelled → paid`` ("pay_late") and go on
as if paid in time. If any unit is gone, the orders stay cancelled and the whole payment is
refunded (``REFUND_LATE``, delivered through the outbox); the checkout is then ``cancelled``.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from catalog.services.stock import InsufficientStock, StockLine, stock_reserve
from customs.services import quota_record_usage
from marketing.distribution.services import referral_close_without_commission
from marketplace.outbox import outbox_enqueue
from orders.flow import ORDER_FLOW
from orders.lock_objects import lock_checkout, lock_orders
from orders.models import Allocation, Checkout, Order, OrderEvent
from orders.notifications import enqueue_order_email

from .checkout import is_china_import

log = logging.getLogger(__name__)

LATE_REASON = gettext_noop("Paid after the reservation expired; the stock was reserved again.")
LATE_REFUND_REASON = gettext_noop(
    "Paid after the reservation expired and the stock was gone: refunded in full."
)
# The outbox kind that refunds a payment for an order (orders/outbox.py).
REFUND_ORDER = "orders.refund"


class PaymentMismatch(Exception):
    """A payment that does not pay this checkout (another reference, amount or currency)."""


def _check_payment(checkout: Checkout, payment) -> None:
    if (
        payment.reference != checkout.number
        or payment.currency != checkout.currency
        or Decimal(payment.amount) != checkout.total
    ):
        raise PaymentMismatch(
            f"payment {payment.reference} {payment.amount} {payment.currency} does not pay "
            f"checkout {checkout.number} {checkout.total} {checkout.currency}"
        )


def _record_quota(checkout: Checkout, orders, paid_at) -> None:
    """Count each paid import into China towards the payer's year (idempotent per order)."""
    year = timezone.localdate(paid_at).year
    destination = checkout.address.get("country", "")
    for order in orders:
        counted = Decimal((order.duties or {}).get("yearly_counted") or "0")
        if counted > 0 and is_china_import(destination, order.clearance_mode):
            quota_record_usage(
                id_number=checkout.payer_id_number,
                year=year,
                amount=counted,
                reference=order.number,
            )


def _paid(checkout: Checkout, orders, *, transition: str, reason: str, paid_at) -> None:
    for order in orders:
        ORDER_FLOW.apply(order, transition, by=None, event_model=OrderEvent, reason=reason)
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(paid_at=paid_at)
    Allocation.objects.filter(
        line__order__in=[o.pk for o in orders],
        status__in=[Allocation.Status.RESERVED, Allocation.Status.RELEASED],
    ).update(status=Allocation.Status.ALLOCATED, expires_at=None, updated_at=timezone.now())
    _record_quota(checkout, orders, paid_at)
    for order in orders:
        enqueue_order_email(order, "paid")
    checkout.status = Checkout.Status.PAID
    checkout.paid_at = paid_at
    checkout.save(update_fields=["status", "paid_at"])
    # a referral that earned nothing (every rate 0) has nothing to wait for: closed now
    referral_close_without_commission(checkout_number=checkout.number)


def refund_enqueue(*, order: Order, amount: Decimal, key: str, reason: str) -> None:
    """Have the outbox refund ``amount`` (checkout currency) of ``order``'s payment, once per
    ``key`` (``orders.outbox.refund_order``: ``payments.services.payment_refund`` after
    commit, retried until the payment service answers)."""
    outbox_enqueue(
        kind=REFUND_ORDER,
        payload={
            "checkout_id": order.checkout_id,
            "order": order.number,
            "amount": str(amount),
            "currency": order.currency,
            "reference": key,
            "reason": reason,
        },
        key=f"refund:{key}",
    )
    # Distribution reverses the order's frozen commission in proportion (marketing.outbox).
    outbox_enqueue(
        kind="marketing.commission_refund",
        payload={
            "order_id": order.pk,
            "amount": str(amount),
            "order_total": str(order.total),
            "reference": key,
        },
        key=f"commission-refund:{key}",
    )
    from .completion import points_reverse_enqueue

    points_reverse_enqueue(order=order, key=key)


@transaction.atomic
def checkout_pay(*, checkout: Checkout, payment) -> None:
    """The checkout's ``payment`` succeeded: pay its orders (see the module docstring).
    Paying a paid checkout again does nothing."""
    checkout = lock_checkout(checkout.pk)
    if checkout.status == Checkout.Status.PAID:
        return
    _check_payment(checkout, payment)
    paid_at = getattr(payment, "paid_at", None) or timezone.now()
    order_ids = list(Order.objects.filter(checkout=checkout).values_list("pk", flat=True))
    orders = list(lock_orders(order_ids).values())
    if checkout.status == Checkout.Status.AWAITING_PAYMENT:
        _paid(checkout, orders, transition="pay", reason="", paid_at=paid_at)
        return
    if checkout.status == Checkout.Status.CANCELLED and all(
        o.refunded_total == o.total for o in orders
    ):
        return  # refunded already (a repeated signal)
    if checkout.status == Checkout.Status.EXPIRED:
        # Late: the expiry cancelled the orders and released the stock. Take it again.
        released = list(
            Allocation.objects.filter(
                line__order_id__in=order_ids, status=Allocation.Status.RELEASED
            ).order_by("pk")
        )
        try:
            with transaction.atomic():
                stock_reserve(
                    lines=[StockLine(a.stock_id, a.quantity) for a in released],
                    note=f"{checkout.number} paid late",
                )
        except InsufficientStock:
            log.info("checkout %s paid late, stock gone: refunding in full", checkout.number)
        else:
            _paid(checkout, orders, transition="pay_late", reason=LATE_REASON, paid_at=paid_at)
            return
    # Expired with the stock gone, or cancelled by the shopper before it was paid: the
    # payment is given back whole (what is not refunded yet).
    refund_unpaid(checkout, orders, reason=LATE_REFUND_REASON)


def refund_unpaid(checkout: Checkout, orders, *, reason: str) -> None:
    """Refund every order of a checkout that was paid although nobody can deliver it any
    more (its orders cancelled); the checkout is cancelled."""
    for order in orders:
        left = order.total - order.refunded_total
        if left > 0:
            refund_enqueue(order=order, amount=left, key=f"{order.number}:unpaid", reason=reason)
            Order.objects.filter(pk=order.pk).update(refunded_total=order.total)
            order.refunded_total = order.total
    checkout.status = Checkout.Status.CANCELLED
    checkout.save(update_fields=["status"])


def checkout_payment_failed(*, checkout: Checkout, payment) -> None:
    """An attempt to pay failed (declined, 3-D Secure failed): nothing changes. The
    checkout stays awaiting payment until it expires, so the shopper may try another card;
    the payment keeps the reason (``payments``)."""
    log.info(
        "checkout %s: payment attempt failed (%s)",
        checkout.number,
        getattr(payment, "failure_code", ""),
    )
