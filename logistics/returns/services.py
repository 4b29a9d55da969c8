"""Returns: the shopper asks within the merchant's window, the merchant approves (a return
waybill from the carrier's numbering) or declines, the warehouse receives and inspects each
line (restock or write-off through the stock services) and the order is refunded through
``orders.services.order_refund`` (the returned lines' amounts).

Locks, down the lock order (docs/ARCHITECTURE.md): the checkout (6), its payment (7), the
order (8), then the return request (8, after its order), the stock rows (9, in the stock
services), the payer's quota ledger (10, in the refund), the carrier's waybill counter (14,
a leaf). ``order_refund`` takes the checkout, payment and order again: they are held already.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import StockAdjustment
from catalog.services.stock import stock_receive, stock_write_off
from logistics.shipping.waybills import waybill_allocate
from marketplace.rules import field_error
from orders.lock_objects import lock_checkout, lock_orders
from orders.models import Order, OrderEvent
from orders.services import order_refund
from orders.services.completion import order_complete
from orders.services.fulfilment import reason_checked
from payments.lock_objects import lock_payment
from payments.models import Payment

from .flow import RETURN_FLOW
from .lock_objects import lock_return
from .models import DEFAULT_WINDOW_DAYS, ReturnEvent, ReturnLine, ReturnPolicy, ReturnRequest

RETURNABLE = frozenset({Order.Status.DELIVERED, Order.Status.COMPLETED})
OPEN = (
    ReturnRequest.Status.REQUESTED,
    ReturnRequest.Status.APPROVED,
    ReturnRequest.Status.RECEIVED,
)
# A return still being handled: the order cannot complete until it is received or declined.
UNSETTLED = (ReturnRequest.Status.REQUESTED, ReturnRequest.Status.APPROVED)
Outcome = ReturnLine.Outcome


def window_days(merchant) -> int:
    """The merchant's return window in days after delivery (``DEFAULT_WINDOW_DAYS`` unset)."""
    found = ReturnPolicy.objects.filter(merchant=merchant).values_list("window_days", flat=True)
    return next(iter(found), DEFAULT_WINDOW_DAYS)


def delivered_at(order: Order) -> datetime | None:
    """When the order was delivered: its ``deliver`` move (``ORDER_FLOW``)."""
    return (
        OrderEvent.objects.filter(subject=order, transition="deliver")
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def return_deadline(order: Order) -> datetime | None:
    at = delivered_at(order)
    return None if at is None else at + timedelta(days=window_days(order.merchant))


def return_refusal(order: Order, *, now: datetime | None = None) -> Exception | None:
    """Why ``order`` cannot be returned now (a ValidationError with its code), or None."""
    if order.status not in RETURNABLE:
        return field_error(
            "order", _("Only a delivered order can be returned."), "return_not_delivered"
        )
    deadline = return_deadline(order)
    if deadline is None or (now or timezone.now()) > deadline:
        return field_error(
            "order",
            _("The return window of %(days)s days after delivery has closed.")
            % {"days": window_days(order.merchant)},
            "return_window_closed",
        )
    return None


@transaction.atomic
def return_policy_set(*, merchant, days: int) -> ReturnPolicy:
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 90:
        raise field_error(
            "window_days", _("Enter a number of days from 0 to 90."), "return_window_days"
        )
    policy, _created = ReturnPolicy.objects.update_or_create(
        merchant=merchant, defaults={"window_days": days}
    )
    return policy


def _returnable_left(order: Order) -> dict[int, int]:
    """Per line id, the units not yet refunded nor in an open or received return."""
    taken = dict(
        ReturnLine.objects.filter(request__order=order, request__status__in=OPEN)
        .values("order_line_id")
        .annotate(n=Sum("quantity"))
        .values_list("order_line_id", "n")
    )
    return {
        line.pk: line.quantity - line.refunded_quantity - taken.get(line.pk, 0)
        for line in order.lines.all()
    }


@transaction.atomic
def return_request_create(*, order: Order, by, lines, reason: str) -> ReturnRequest:
    """The shopper asks to return ``lines`` (line id -> quantity) of their delivered order,
    within the merchant's window (refused with the reason outside it)."""
    order = lock_orders([order.pk])[order.pk]
    if order.user_id != getattr(by, "pk", None):
        raise field_error("order", _("This is not your order."), "return_not_yours")
    refusal = return_refusal(order)
    if refusal is not None:
        raise refusal
    reason = reason_checked(reason)
    left = _returnable_left(order)
    picked: dict[int, int] = {}
    for line_id, quantity in dict(lines or {}).items():
        try:
            line_id = int(line_id)
        except (TypeError, ValueError):
            line_id = None
        if line_id not in left:
            raise field_error("lines", _("This line is not in the order."), "unknown_line")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise field_error(
                "lines", _("Enter a whole number greater than zero."), "quantity_positive"
            )
        if quantity > left[line_id]:
            raise field_error(
                "lines",
                _("At most %(n)s units of this line can be returned.") % {"n": left[line_id]},
                "return_quantity",
            )
        picked[line_id] = quantity
    if not picked:
        raise field_error("lines", _("Pick at least one line to return."), "return_no_lines")
    request = ReturnRequest.objects.create(
        merchant_id=order.merchant_id, order=order, user=by, reason=reason
    )
    ReturnLine.objects.bulk_create(
        [ReturnLine(request=request, order_line_id=k, quantity=q) for k, q in picked.items()]
    )
    return request


def _locked(request: ReturnRequest) -> ReturnRequest:
    lock_orders([request.order_id])
    return lock_return(request.pk)


def _instructions(order: Order, number: str) -> str:
    warehouse = order.warehouse
    return _(
        "Send the goods back with waybill %(number)s to %(warehouse)s, %(address)s. Write the "
        "waybill number on the parcel."
    ) % {"number": number, "warehouse": warehouse.name, "address": warehouse.address or "-"}


@transaction.atomic
def return_approve(*, request: ReturnRequest, by) -> ReturnRequest:
    """The merchant accepts the return: a return waybill from the order's carrier's numbering
    (``waybill_allocate``, lock slot 14, last) and where to send the goods."""
    request = _locked(request)
    RETURN_FLOW.apply(request, "approve", by=by, event_model=ReturnEvent)
    order = Order.objects.select_related("shipping_method__carrier", "warehouse").get(
        pk=request.order_id
    )
    number = waybill_allocate(carrier=order.shipping_method.carrier)
    request.waybill_number = number
    request.instructions = _instructions(order, number)
    request.save(update_fields=["waybill_number", "instructions"])
    return request


@transaction.atomic
def return_decline(*, request: ReturnRequest, by, reason: str) -> ReturnRequest:
    request = _locked(request)
    reason = reason_checked(reason)
    RETURN_FLOW.apply(request, "decline", by=by, event_model=ReturnEvent, reason=reason)
    request.decline_reason = reason
    request.save(update_fields=["decline_reason"])
    return request


def return_receive(*, request: ReturnRequest, by, outcomes) -> ReturnRequest:
    """The goods are back: ``outcomes`` (return line id -> ``restock`` | ``write_off``) for
    every line. Restocked units go back on hand in the order's warehouse (a ``return``
    adjustment); written-off units are received and written off (the ledger shows both).
    Then the returned lines are refunded (``order_refund`` by lines: their charged price and
    duty share; the last units move the order to ``refunded``); ``refunded`` keeps how much."""
    with transaction.atomic():
        order = Order.objects.get(pk=request.order_id)
        lock_checkout(order.checkout_id)
        found = Payment.objects.filter(reference=order.checkout.number).values_list("pk", flat=True)
        for pk in found:
            lock_payment(pk)
        request = _locked(request)
        order = Order.objects.select_related("warehouse").get(pk=order.pk)
        lines = list(request.lines.select_related("order_line__sku"))
        outcomes = {int(k): v for k, v in dict(outcomes or {}).items()}
        if set(outcomes) != {line.pk for line in lines} or not set(outcomes.values()) <= {
            Outcome.RESTOCK,
            Outcome.WRITE_OFF,
        }:
            raise field_error(
                "outcomes",
                _("Say for every returned line whether it is restocked or written off."),
                "return_inspection",
            )
        RETURN_FLOW.apply(request, "receive", by=by, event_model=ReturnEvent)
        note = _("return %(id)s of %(order)s") % {"id": request.pk, "order": order.number}
        for line in lines:
            sku = line.order_line.sku
            common = {"merchant": order.merchant, "sku": sku, "warehouse": order.warehouse}
            stock_receive(
                **common,
                quantity=line.quantity,
                actor=by,
                note=note,
                reason=StockAdjustment.Reason.RETURN,
            )
            if outcomes[line.pk] == Outcome.WRITE_OFF:
                stock_write_off(**common, quantity=line.quantity, actor=by, note=note)
            line.outcome = outcomes[line.pk]
        ReturnLine.objects.bulk_update(lines, ["outcome"])
        before = order.refunded_total
        order_refund(
            order=order,
            amount=None,
            by=by,
            reason=_("Returned: %(reason)s") % {"reason": request.reason},
            lines={line.order_line_id: line.quantity for line in lines},
        )
        request.received_at = timezone.now()
        request.refunded = Order.objects.get(pk=order.pk).refunded_total - before
        request.save(update_fields=["received_at", "refunded"])
    return request


def _completable(order: Order, now: datetime) -> bool:
    """``order`` is delivered, its merchant's return window is over and no return of it is
    still being handled (requested or approved)."""
    if order.status != Order.Status.DELIVERED:
        return False
    deadline = return_deadline(order)
    if deadline is None or now <= deadline:
        return False
    return not ReturnRequest.objects.filter(order=order, status__in=UNSETTLED).exists()


def orders_complete_due(*, now: datetime | None = None, batch: int = 200) -> int:
    """Periodic (beat): complete every delivered order whose merchant's return window
    (``window_days``) has elapsed with no return still open — the moment nothing can come
    back, so its points are earned and its distribution commission confirmed
    (``orders.services.completion.order_complete``). An order with an open return waits for
    it to be received (refunded: a full return leaves it ``refunded``, never completed) or
    declined. One transaction per order: the order is locked (slot 8) and re-checked under
    the lock, so a return requested meanwhile (it locks the order too) keeps it delivered.
    Idempotent: a completed order is no longer delivered. Returns how many completed."""
    now = now or timezone.now()
    # The shortest window any merchant may set bounds the candidates by delivery time.
    delivered_before = now - timedelta(days=min(DEFAULT_WINDOW_DAYS, _shortest_window()))
    candidates = list(
        Order.objects.filter(
            status=Order.Status.DELIVERED,
            pk__in=OrderEvent.objects.filter(
                transition="deliver", created_at__lt=delivered_before
            ).values("subject_id"),
        )
        .exclude(returns__status__in=UNSETTLED)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    completed = 0
    for pk in candidates:
        with transaction.atomic():
            order = lock_orders([pk]).get(pk)
            if order is None or not _completable(order, now):
                continue
            order_complete(order=order, by=None)
            completed += 1
    return completed


def _shortest_window() -> int:
    found = ReturnPolicy.objects.order_by("window_days").values_list("window_days", flat=True)
    return next(iter(found[:1]), DEFAULT_WINDOW_DAYS)
