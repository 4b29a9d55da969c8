"""An order completes (``ORDER_FLOW`` "complete": delivered → completed), and what the points
ledger hears of it (docs/MARKETING.md, "Points").

``order_complete`` locks the order (slot 8), moves it, and enqueues ``orders.points_earn``
and ``orders.commissions_confirm`` in the same transaction; the handlers
(``orders.outbox``) credit the points and confirm the order's frozen distribution
commission after commit. Who decides that an order completes: ``orders_complete_due`` in
``logistics.returns.services`` (the after-sales layer knows the merchant's return window and
open returns), run by beat. A refund of a completed order enqueues ``orders.points_reverse`` from
``orders.services.paying.refund_enqueue`` (the one place every refund passes). Both handlers
reconcile the ledger to what the order's unrefunded share earns, so their order does not
matter. Nothing here is in the checkout's locks: the ledger's lock (slot 13's tail) is taken
by the handlers, in their own transactions.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from marketing.points.services import POINTS_CURRENCY, EarnLine
from marketplace.outbox import outbox_enqueue
from marketplace.rules import field_error
from orders.flow import ORDER_FLOW
from orders.lock_objects import lock_orders
from orders.models import Order, OrderEvent, OrderLine

POINTS_EARN = "orders.points_earn"
POINTS_REVERSE = "orders.points_reverse"
COMMISSIONS_CONFIRM = "orders.commissions_confirm"


@transaction.atomic
def order_complete(*, order: Order, by) -> Order:
    """Complete a delivered order (one ``complete`` event): its points are earned and its
    frozen distribution commission confirmed (outbox, after commit)."""
    from django.utils.translation import gettext as _

    locked = lock_orders([order.pk])[order.pk]
    if not ORDER_FLOW.can(locked, "complete"):
        raise field_error(
            "status",
            _("Only a delivered order can be completed (it is %(status)s).")
            % {"status": locked.get_status_display()},
            "order_not_completable",
        )
    ORDER_FLOW.apply(locked, "complete", by=by, event_model=OrderEvent)
    order.status = locked.status
    outbox_enqueue(kind=POINTS_EARN, payload={"order": locked.number}, key=locked.number)
    outbox_enqueue(kind=COMMISSIONS_CONFIRM, payload={"order_id": locked.pk}, key=locked.number)
    return locked


def points_reverse_enqueue(*, order: Order, key: str) -> None:
    """A refund of ``order`` (key ``key``): if it completed, its points are reconciled."""
    completed = order.status == Order.Status.COMPLETED
    if completed or OrderEvent.objects.filter(subject=order, transition="complete").exists():
        outbox_enqueue(kind=POINTS_REVERSE, payload={"order": order.number, "refund": key}, key=key)


def earn_basis(order: Order) -> tuple[list[EarnLine], Decimal]:
    """What ``order``'s goods were paid, per line (merchant, category), and the share of its
    total not refunded (the points rule's inputs). Points are in yuan: an order paid in
    another currency earns none."""
    if order.currency != POINTS_CURRENCY:
        return [], Decimal(0)
    lines = [
        EarnLine(
            merchant_id=order.merchant_id,
            category_id=line.sku.product.category_id if line.sku_id else None,
            paid=line.line_total - line.discount,
        )
        for line in OrderLine.objects.filter(order=order).select_related("sku__product")
    ]
    kept = (order.total - order.refunded_total) / order.total if order.total > 0 else Decimal(0)
    return lines, kept
