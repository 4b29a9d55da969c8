"""Cancelling an order before it ships, and refunding it (whole or in part).

Locks, down the lock order: the checkout (6), its payment (7, ``payments.lock_payment``: the
refunds of one payment take turns), the orders (8), the stock rows (9), the payer's quota
ledger (10). The money goes back through the outbox (``orders.outbox``: the kind
``orders.refund`` calls ``payments.services.payment_refund`` after commit, once per refund
key, retried until the payment service answers), so no HTTP call is made while rows are
locked and a refund is never lost or made twice.

- ``order_cancel``: an **unpaid** order cancels its whole checkout (one payment is for all of
  its orders: charging the rest would need another payment), releasing its reservations. A
  **paid** order (not yet shipped: ``ORDER_FLOW`` "cancel") releases its allocations,
  restores the payer's quota and is refunded what is left of its total (a list customs
  released already, a cleared bonded order: the quota waits for customs instead — the
  outbox's ``orders.cancel_released`` asks the declarations to declare its CEB623, and
  ``order_quota_restore_cancelled`` gives it back when CEB624 accepts); after commit the
  outbox gives back the flash units, coupons and referral no other order of the checkout
  keeps (``expiry.paid_order_give_back``, docs/MARKETING.md).
- ``order_refund``: part of a paid order (an amount, or ``lines``: line id -> quantity), or
  the rest of it (``amount`` None). Before shipping, refunding the rest is cancelling.
  After shipping, the last refund moves the order to ``refunded`` (``ORDER_FLOW``
  "refund") and restores the quota. ``refunded_total`` and the lines'
  ``refunded_quantity`` say what was refunded; each partial refund writes an order event
  (``partial_refund``, from = to).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from customs.selectors import quota_restored
from customs.services import quota_restore
from marketplace.money import Money, round_money
from marketplace.outbox import outbox_enqueue
from marketplace.rules import field_error
from orders.flow import ORDER_FLOW
from orders.lock_objects import lock_checkout, lock_orders
from orders.models import Allocation, Checkout, Order, OrderEvent, OrderLine
from orders.notifications import enqueue_order_email
from payments.lock_objects import lock_payment
from payments.models import Payment, Refund

from .checkout import is_china_import
from .expiry import GIVE_BACK, promotions_give_back, release_allocations

PARTIAL_REFUND = "partial_refund"
# A paid order cancelled after customs released its list: {"order_id", "reason"}; the
# declarations declare the CEB623 (customs/declarations/outbox.py).
CANCEL_RELEASED = "orders.cancel_released"
REFUNDED_AFTER_SHIPPING = {Order.Status.SHIPPED, Order.Status.DELIVERED, Order.Status.COMPLETED}
NOT_PAID = {Order.Status.AWAITING_PAYMENT, Order.Status.CANCELLED, Order.Status.REFUNDED}


def _payment_of(checkout: Checkout) -> Payment | None:
    found = Payment.objects.filter(reference=checkout.number).values_list("pk", flat=True)
    pk = next(iter(found), None)
    return lock_payment(pk) if pk is not None else None


def _quota_counted(checkout: Checkout, order: Order) -> Decimal:
    """CNY of the payer's yearly quota the order counted when paid (0: none counted)."""
    counted = Decimal((order.duties or {}).get("yearly_counted") or "0")
    if counted <= 0 or order.paid_at is None:
        return Decimal(0)
    if not is_china_import(checkout.address.get("country", ""), order.clearance_mode):
        return Decimal(0)
    return counted


def quota_share_of_lines(order: Order, lines) -> Decimal:
    """The part of ``order``'s counted quota that ``lines`` (line id -> units) stand for:
    the counted amount in proportion to the lines' charged goods value, to the fen. The
    one rule for a partial give-back, used by refunds here and by the customs return
    (``logistics.returns``)."""
    counted = Decimal((order.duties or {}).get("yearly_counted") or "0")
    by_id = {line.pk: line for line in order.lines.all()}
    goods = sum((ln.unit_price_charged * ln.quantity for ln in by_id.values()), Decimal(0))
    if counted <= 0 or goods <= 0:
        return Decimal(0)
    value = sum(
        (by_id[int(k)].unit_price_charged * q for k, q in dict(lines).items() if int(k) in by_id),
        Decimal(0),
    )
    return min(round_money(counted * value / goods, "CNY"), counted)


def customs_released(order: Order) -> bool:
    """Customs released the order's list (its ``clear`` move). Its quota then comes back
    only through customs: the CEB626 receipt of a customs return (``logistics.returns``),
    never through a refund here, so it is restored once."""
    return OrderEvent.objects.filter(subject=order, transition="clear").exists()


def _restore_quota(checkout: Checkout, order: Order) -> None:
    """Give back what is left of the order's yearly quota usage (counted when paid, less
    what partial give-backs restored already)."""
    counted = _quota_counted(checkout, order)
    if counted <= 0:
        return
    left = counted - quota_restored(reference=order.number)
    if left <= 0:
        return
    quota_restore(
        id_number=checkout.payer_id_number,
        year=timezone.localdate(order.paid_at).year,
        amount=left,
        reference=order.number,
        restore_key=f"{order.number}:whole",
    )


@transaction.atomic
def order_quota_restore_cancelled(*, order_id: int) -> bool:
    """Customs accepted the CEB623 cancellation of a cancelled order's released list (its
    CEB624 at 399): give back what is left of the order's quota usage, once (the restore
    key ``<number>:whole``; a repeated receipt gives nothing more). False: nothing to do."""
    order = Order.objects.only("checkout_id").get(pk=order_id)
    checkout = lock_checkout(order.checkout_id)
    order = lock_orders([order_id])[order_id]
    if order.status != Order.Status.CANCELLED:
        return False
    before = quota_restored(reference=order.number)
    _restore_quota(checkout, order)
    return quota_restored(reference=order.number) != before


def _restore_quota_refunded(checkout: Checkout, order: Order, picked, key: str, last: bool):
    """The quota side of a refund after shipping: nothing for a list customs released (the
    customs return gives it back); else the share of the refunded lines, or, for the last
    refund, what is left."""
    if customs_released(order):
        return
    if last:
        _restore_quota(checkout, order)
        return
    if not picked or _quota_counted(checkout, order) <= 0:
        return
    share = quota_share_of_lines(order, {line.pk: q for line, q in picked})
    if share > 0:
        quota_restore(
            id_number=checkout.payer_id_number,
            year=timezone.localdate(order.paid_at).year,
            amount=share,
            reference=order.number,
            restore_key=key,
        )


def _release(orders) -> None:
    """Give back the stock of the orders' reservations and allocations (not shipped)."""
    release_allocations(
        Allocation.objects.filter(
            line__order_id__in=[o.pk for o in orders],
            status__in=[Allocation.Status.RESERVED, Allocation.Status.ALLOCATED],
        ).order_by("pk"),
        note=", ".join(o.number for o in orders) + " cancelled",
    )


def _refund_rest(order: Order, *, key: str, reason: str) -> str | None:
    """Refund what is left of the order's total (through the outbox); the refund's key."""
    from .paying import refund_enqueue

    left = order.total - order.refunded_total
    if left <= 0:
        return None
    refund_enqueue(order=order, amount=left, key=key, reason=reason)
    Order.objects.filter(pk=order.pk).update(refunded_total=order.total)
    OrderLine.objects.filter(order=order).update(refunded_quantity=F("quantity"))
    order.refunded_total = order.total
    return key


def _cancel_paid(checkout: Checkout, order: Order, *, by, reason: str) -> str | None:
    released = customs_released(order)
    ORDER_FLOW.apply(order, "cancel", by=by, event_model=OrderEvent, reason=reason)
    _release([order])
    if released:
        # customs counted the list: the quota comes back when customs accepts its CEB623
        # cancellation (``order_quota_restore_cancelled``), not now
        outbox_enqueue(
            kind=CANCEL_RELEASED,
            payload={"order_id": order.pk, "reason": reason},
            key=f"cancel-released:{order.number}",
        )
    else:
        _restore_quota(checkout, order)
    enqueue_order_email(order, "cancelled")
    # Flash units, coupons, referral: after commit, in the checkout-first lock order
    # (``orders.outbox.give_back`` → ``paid_order_give_back``); the order lock is held here.
    outbox_enqueue(
        kind=GIVE_BACK,
        payload={"checkout_id": checkout.pk, "reason": reason},
        key=f"give-back:{order.number}",
    )
    return _refund_rest(order, key=f"{order.number}:cancel", reason=reason)


def _not_cancellable() -> Exception:
    return field_error(
        "status",
        _("This order has left the warehouse: it can no longer be cancelled, only refunded."),
        "order_not_cancellable",
    )


@transaction.atomic
def order_cancel(*, order: Order, by, reason: str) -> Order:
    """Cancel ``order`` before it ships (see the module docstring); returns it as it now
    is. Cancelling a cancelled order does nothing."""
    checkout = lock_checkout(order.checkout_id)
    _payment_of(checkout)
    if checkout.status == Checkout.Status.AWAITING_PAYMENT:
        promotions_give_back(checkout, reason=reason)
        ids = list(Order.objects.filter(checkout=checkout).values_list("pk", flat=True))
        orders = lock_orders(ids)
        for each in orders.values():
            if each.status == Order.Status.AWAITING_PAYMENT:
                ORDER_FLOW.apply(each, "cancel", by=by, event_model=OrderEvent, reason=reason)
                enqueue_order_email(each, "cancelled")
        _release(list(orders.values()))
        checkout.status = Checkout.Status.CANCELLED
        checkout.save(update_fields=["status"])
        return orders[order.pk]
    order = lock_orders([order.pk])[order.pk]
    if order.status == Order.Status.CANCELLED:
        return order
    if not ORDER_FLOW.can(order, "cancel"):
        raise _not_cancellable()
    _cancel_paid(checkout, order, by=by, reason=reason)
    return order


def _lines_amount(order: Order, lines) -> tuple[Decimal, list[tuple[OrderLine, int]]]:
    """The amount of refunding ``lines`` (line id -> quantity) of ``order``: their charged
    price and their share of the line's duty; the lines and quantities, checked."""
    by_id = {line.pk: line for line in order.lines.all()}
    picked: list[tuple[OrderLine, int]] = []
    amount = Decimal(0)
    for line_id, quantity in dict(lines).items():
        line = by_id.get(int(line_id))
        if line is None:
            raise field_error("lines", _("This line is not in the order."), "unknown_line")
        left = line.quantity - line.refunded_quantity
        if not isinstance(quantity, int) or quantity < 1 or quantity > left:
            raise field_error(
                "lines",
                _("%(sku)s: at most %(n)s units are left to refund.")
                % {"sku": line.sku_code, "n": left},
                "refund_quantity",
            )
        duty_share = line.duty * quantity / line.quantity
        amount += line.unit_price_charged * quantity + duty_share
        picked.append((line, quantity))
    return round_money(amount, order.currency), picked


def _order_refund(*, order: Order, amount: Money | None, by, reason: str, lines) -> str | None:
    checkout = lock_checkout(order.checkout_id)
    _payment_of(checkout)
    order = lock_orders([order.pk])[order.pk]
    if order.status in NOT_PAID or order.paid_at is None:
        raise field_error("status", _("Only a paid order can be refunded."), "order_not_refundable")
    left = order.total - order.refunded_total
    picked: list[tuple[OrderLine, int]] = []
    if lines:
        value, picked = _lines_amount(order, lines)
        units_left = sum(line.quantity - line.refunded_quantity for line in order.lines.all())
        if sum(q for _line, q in picked) == units_left:
            value = left  # the last units: what is left, whatever the rounding of shares
    elif amount is not None:
        if amount.currency != order.currency:
            raise field_error(
                "amount",
                _("This order was paid in %(currency)s; refund it in %(currency)s.")
                % {"currency": order.currency},
                "refund_currency",
            )
        value = amount.rounded().amount
    else:
        value = left
    if value <= 0:
        raise field_error(
            "amount", _("A refund must be for more than zero."), "refund_amount_positive"
        )
    if value > left:
        raise field_error(
            "amount",
            _("At most %(left)s of this order is left to refund.")
            % {"left": Money(left, order.currency)},
            "refund_exceeds_order",
        )
    if value == left and not picked:
        # The rest of the order: before shipping that is a cancellation.
        if ORDER_FLOW.can(order, "cancel"):
            return _cancel_paid(checkout, order, by=by, reason=reason)
        value = order.total - order.refunded_total
        key = _refund_rest(order, key=f"{order.number}:rest", reason=reason)
        enqueue_order_email(order, "refunded", refund=key, amount=value)
        ORDER_FLOW.apply(order, "refund", by=by, event_model=OrderEvent, reason=reason)
        _restore_quota_refunded(checkout, order, picked, key, last=True)
        return key
    done = OrderEvent.objects.filter(subject=order, transition=PARTIAL_REFUND).count()
    key = f"{order.number}:part{done + 1}"
    from .paying import refund_enqueue

    refund_enqueue(order=order, amount=value, key=key, reason=reason)
    enqueue_order_email(order, "refunded", refund=key, amount=value)
    Order.objects.filter(pk=order.pk).update(refunded_total=F("refunded_total") + value)
    for line, quantity in picked:
        OrderLine.objects.filter(pk=line.pk).update(
            refunded_quantity=F("refunded_quantity") + quantity
        )
    OrderEvent.objects.create(
        subject=order,
        transition=PARTIAL_REFUND,
        from_state=order.status,
        to_state=order.status,
        actor=by if getattr(by, "is_authenticated", False) else None,
        reason=f"{Money(value, order.currency)}: {reason}"[:2000],
    )
    last = value == left and order.status in REFUNDED_AFTER_SHIPPING
    if last:
        ORDER_FLOW.apply(order, "refund", by=by, event_model=OrderEvent, reason=reason)
    if order.status in REFUNDED_AFTER_SHIPPING | {Order.Status.REFUNDED}:
        _restore_quota_refunded(checkout, order, picked, key, last=last)
    return key


def order_refund(
    *, order: Order, amount: Money | None, by, reason: str, lines=None
) -> Refund | None:
    """Refund part of ``order`` or the rest of it (see the module docstring). Returns the
    payment's refund once it is made: at once where the outbox delivers on commit (the
    embedded default, tests), else None until a worker made it (``refund_succeeded`` tells
    when)."""
    with transaction.atomic():
        key = _order_refund(order=order, amount=amount, by=by, reason=reason, lines=lines)
    if key is None:
        return None
    return Refund.objects.filter(reference=key).first()
