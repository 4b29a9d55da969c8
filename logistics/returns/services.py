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
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import StockAdjustment
from catalog.services.stock import stock_receive, stock_write_off
from customs.declarations.models import OrderDeclaration
from customs.declarations.services import NotPossible, declaration_return
from customs.services import quota_restore
from logistics.shipping.waybills import waybill_allocate
from marketplace.money import Money, round_money
from marketplace.outbox import outbox_enqueue
from marketplace.rules import field_error
from merchants.roles import Capability
from merchants.services import require_capability
from orders.lock_objects import lock_checkout, lock_orders
from orders.models import Order, OrderEvent
from orders.services import order_refund
from orders.services.cancel import customs_released, quota_share_of_lines
from orders.services.completion import order_complete
from orders.services.fulfilment import reason_checked
from payments.lock_objects import lock_payment
from payments.models import Payment

from .flow import RETURN_FLOW
from .lock_objects import lock_return
from .models import (
    DEFAULT_WINDOW_DAYS,
    MAX_WINDOW_DAYS,
    ReturnEmail,
    ReturnEvent,
    ReturnLine,
    ReturnPolicy,
    ReturnRequest,
)

RETURNABLE = frozenset({Order.Status.DELIVERED, Order.Status.COMPLETED})
OPEN = (
    ReturnRequest.Status.REQUESTED,
    ReturnRequest.Status.APPROVED,
    ReturnRequest.Status.RECEIVED,
)
# A return still being handled: the order cannot complete until it is received or declined.
UNSETTLED = (ReturnRequest.Status.REQUESTED, ReturnRequest.Status.APPROVED)
Outcome = ReturnLine.Outcome
# ../shared/reference/customs.md (marked unconfirmed): a return back at the supervised site
# within 30 days of release cancels the tax and restores the buyer's yearly quota.
CUSTOMS_RETURN_DAYS = 30
RETURN_EMAIL = "returns.email"


def _read_once(obj, name: str, read):
    """``read()`` once per instance ``obj``: a page asks the same questions of one order and
    merchant several times (the return window, the customs window, the refusal, the policy),
    so the answer is kept on the instance. Services that change them write on a locked, fresh
    instance (``lock_orders``), or set it here (``return_policy_set``)."""
    memo = obj.__dict__.setdefault("_returns_read", {})
    if name not in memo:
        memo[name] = read()
    return memo[name]


def window_days(merchant) -> int:
    """The merchant's return window in days after delivery (``DEFAULT_WINDOW_DAYS`` unset)."""
    return return_policy_of(merchant).window_days


def delivered_at(order: Order) -> datetime | None:
    """When the order was delivered: its ``deliver`` move (``ORDER_FLOW``)."""
    return _read_once(
        order,
        "delivered_at",
        lambda: (
            OrderEvent.objects.filter(subject=order, transition="deliver")
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        ),
    )


def return_deadline(order: Order) -> datetime | None:
    at = delivered_at(order)
    return None if at is None else at + timedelta(days=window_days(order.merchant))


def customs_file(order: Order) -> OrderDeclaration | None:
    """The order's declaration when customs released its list (a cross-border import whose
    return is a customs return, CEB625), else None."""
    return (
        OrderDeclaration.objects.filter(order=order, status=OrderDeclaration.Status.CLEARED)
        .exclude(invt_no="")
        .first()
    )


def customs_released_at(order: Order) -> datetime | None:
    """When customs released the order's list: its ``clear`` move (``ORDER_FLOW``)."""
    return _read_once(
        order,
        "released_at",
        lambda: (
            OrderEvent.objects.filter(subject=order, transition="clear")
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        ),
    )


def customs_deadline(order: Order) -> datetime | None:
    """Until when the goods may be back at the supervised site (None: not a released
    import, no customs window)."""
    if not _read_once(order, "released", lambda: customs_released(order)):
        return None
    at = customs_released_at(order)
    return None if at is None else at + timedelta(days=CUSTOMS_RETURN_DAYS)


def customs_refusal(order: Order, *, now: datetime | None = None) -> Exception | None:
    """Why the customs return of ``order`` can no longer be declared (past the window), or
    None (within it, or not a released import)."""
    deadline = customs_deadline(order)
    if deadline is None or (now or timezone.now()) <= deadline:
        return None
    return field_error(
        "order",
        _(
            "Customs released this import on %(released)s: goods must be back at the "
            "supervised site within %(days)s days of release (by %(deadline)s) to be "
            "returned, and that time has passed."
        )
        % {
            "released": timezone.localtime(customs_released_at(order)).strftime("%Y-%m-%d"),
            "days": CUSTOMS_RETURN_DAYS,
            "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d"),
        },
        "return_customs_window_closed",
    )


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
    return customs_refusal(order, now=now)


def return_policy_of(merchant) -> ReturnPolicy:
    """The merchant's policy (an unsaved default one when they never set it)."""
    return _read_once(
        merchant,
        "policy",
        lambda: (
            ReturnPolicy.objects.filter(merchant=merchant).first()
            or ReturnPolicy(merchant=merchant, window_days=DEFAULT_WINDOW_DAYS)
        ),
    )


@transaction.atomic
def return_policy_set(*, merchant, by, days: int, policy: str | None = None) -> ReturnPolicy:
    """The merchant sets their return window (0–90 days after delivery; 0: no returns)
    and, optionally, the policy text shoppers read (``manage_orders``)."""
    require_capability(by=by, merchant=merchant, capability=Capability.MANAGE_ORDERS)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_WINDOW_DAYS:
        raise field_error(
            "window_days", _("Enter a number of days from 0 to 90."), "return_window_days"
        )
    defaults = {"window_days": days}
    if policy is not None:
        policy = policy.strip()
        if len(policy) > 4000:
            raise field_error(
                "policy", _("Keep the policy under 4000 characters."), "return_policy_length"
            )
        defaults["policy"] = policy
    found, _created = ReturnPolicy.objects.update_or_create(merchant=merchant, defaults=defaults)
    merchant.__dict__.setdefault("_returns_read", {})["policy"] = found
    return found


def returnable_lines(order: Order) -> list[tuple]:
    """The order's lines with the units the shopper may still return, in line order (a free
    gift's: none, it came with the order)."""
    lines = list(order.lines.all())
    left = _returnable_left(order, lines)
    return [(line, 0 if line.is_gift else left[line.pk]) for line in lines]


def _returnable_left(order: Order, lines=None) -> dict[int, int]:
    """Per line id, the units not yet refunded nor in an open or received return. A
    received return's units are usually the line's ``refunded_quantity`` too (refunded by
    lines), unless its refund was a partial amount: so the larger of the two counts, once.
    ``lines``: the order's lines when the caller has them."""
    rows = (
        ReturnLine.objects.filter(request__order=order, request__status__in=OPEN)
        .values("order_line_id", "request__status")
        .annotate(n=Sum("quantity"))
    )
    received: dict[int, int] = {}
    pending: dict[int, int] = {}
    for row in rows:
        into = received if row["request__status"] == ReturnRequest.Status.RECEIVED else pending
        into[row["order_line_id"]] = into.get(row["order_line_id"], 0) + row["n"]
    return {
        line.pk: line.quantity
        - max(line.refunded_quantity, received.get(line.pk, 0))
        - pending.get(line.pk, 0)
        for line in (order.lines.all() if lines is None else lines)
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
    order_lines = list(order.lines.all())
    gifts = {line.pk for line in order_lines if line.is_gift}
    left = _returnable_left(order, order_lines)
    picked: dict[int, int] = {}
    for line_id, quantity in dict(lines or {}).items():
        try:
            line_id = int(line_id)
        except (TypeError, ValueError):
            line_id = None
        if line_id not in left:
            raise field_error("lines", _("This line is not in the order."), "unknown_line")
        if line_id in gifts:
            raise field_error(
                "lines",
                _("A free gift cannot be returned: it came with the order at no cost."),
                "return_gift_line",
            )
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


def _locked(request: ReturnRequest, by) -> ReturnRequest:
    """The merchant's team acts (``manage_orders``): lock the order, then the return."""
    require_capability(by=by, merchant=request.merchant_id, capability=Capability.MANAGE_ORDERS)
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
    request = _locked(request, by)
    order = Order.objects.select_related("shipping_method__carrier", "warehouse").get(
        pk=request.order_id
    )
    refusal = customs_refusal(order)
    if refusal is not None:
        raise refusal
    RETURN_FLOW.apply(request, "approve", by=by, event_model=ReturnEvent)
    number = waybill_allocate(carrier=order.shipping_method.carrier)
    request.waybill_number = number
    request.instructions = _instructions(order, number)
    request.save(update_fields=["waybill_number", "instructions"])
    _email(request, ReturnEmail.Kind.APPROVED)
    return request


def _email(request: ReturnRequest, kind: str) -> None:
    """The shopper's email about ``request`` (``returns/outbox.py`` sends it, once)."""
    outbox_enqueue(
        kind=RETURN_EMAIL,
        payload={"request_id": request.pk, "kind": kind},
        key=f"return-email:{kind}:{request.pk}",
    )


@transaction.atomic
def return_decline(*, request: ReturnRequest, by, reason: str) -> ReturnRequest:
    request = _locked(request, by)
    reason = reason_checked(reason)
    RETURN_FLOW.apply(request, "decline", by=by, event_model=ReturnEvent, reason=reason)
    request.decline_reason = reason
    request.save(update_fields=["decline_reason"])
    _email(request, ReturnEmail.Kind.DECLINED)
    return request


def lines_refund_amount(order: Order, lines: dict[int, int]) -> Decimal:
    """What refunding ``lines`` (order line id -> units) comes to: each line's charged unit
    price and its share of the line's duty (the rule of ``order_refund(lines=)``)."""
    by_id = {line.pk: line for line in order.lines.all()}
    total = Decimal(0)
    for line_id, quantity in lines.items():
        line = by_id[line_id]
        total += line.unit_price_charged * quantity + line.duty * quantity / line.quantity
    return round_money(total, order.currency)


def _refund_amount(value, full: Decimal) -> Decimal | None:
    """The merchant's partial refund (None: the full amount of the returned lines)."""
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (ArithmeticError, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount > full:
        raise field_error(
            "refund",
            _("Refund more than zero and at most %(full)s (the returned lines).") % {"full": full},
            "return_refund_amount",
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise field_error("refund", _("Enter the amount to the cent."), "return_refund_amount")
    return None if amount == full else amount


def _quota_for(order: Order, request: ReturnRequest, lines: dict[int, int]) -> Decimal:
    """The quota the customs return gives back: the returned lines' share of the order's
    counted quota (``quota_share_of_lines``); the return that brings the last units back
    gets what the earlier ones left, so the shares add up to what was counted."""
    counted = Decimal((order.duties or {}).get("yearly_counted") or "0")
    others = ReturnRequest.objects.filter(order=order, status=ReturnRequest.Status.RECEIVED)
    others = others.exclude(pk=request.pk)
    returned = dict(
        ReturnLine.objects.filter(request__in=others)
        .values("order_line_id")
        .annotate(n=Sum("quantity"))
        .values_list("order_line_id", "n")
    )
    everything = all(
        returned.get(line.pk, 0) + lines.get(line.pk, 0) >= line.quantity
        for line in order.lines.all()
    )
    if everything:
        before = sum((a for a in others.values_list("quota_amount", flat=True) if a), Decimal(0))
        return max(counted - before, Decimal(0))
    return quota_share_of_lines(order, lines)


def _declare_customs_return(order: Order, request: ReturnRequest, lines: dict[int, int]):
    """CEB625 for exactly the returned lines and units of a released import (lock slot 12,
    after the order, the return, the stock and the quota)."""
    file = customs_file(order)
    if file is None:
        return
    gnums = {line.pk: gnum for gnum, line in enumerate(order.lines.all(), start=1)}
    try:
        row = declaration_return(
            file=file,
            reason=request.reason,
            lines={gnums[k]: q for k, q in lines.items()},
        )
    except NotPossible as exc:
        raise field_error("order", str(exc), "customs_return_refused") from None
    request.customs_declaration = row
    request.quota_amount = _quota_for(order, request, lines)
    request.save(update_fields=["customs_declaration", "quota_amount"])


def return_receive(*, request: ReturnRequest, by, outcomes, refund=None) -> ReturnRequest:
    """The goods are back: ``outcomes`` (return line id -> ``restock`` | ``write_off``) for
    every line. Restocked units go back on hand in the order's warehouse (a ``return``
    adjustment); written-off units are received and written off (the ledger shows both).
    Then the returned lines are refunded (``order_refund`` by lines: their charged price and
    duty share; the last units move the order to ``refunded``), or ``refund`` (an amount in
    the order's currency, less than that: a partial refund); ``refunded`` keeps how much.

    A cross-border import customs released is refused after ``CUSTOMS_RETURN_DAYS`` from
    release (``return_customs_window_closed``); within them its customs return (CEB625) is
    declared for exactly these lines and units, and its CEB626 receipt gives the buyer's
    quota back (``return_quota_restore``). The refund never does: one place restores it."""
    with transaction.atomic():
        order = Order.objects.get(pk=request.order_id)
        lock_checkout(order.checkout_id)
        found = Payment.objects.filter(reference=order.checkout.number).values_list("pk", flat=True)
        for pk in found:
            lock_payment(pk)
        request = _locked(request, by)
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
        refusal = customs_refusal(order)
        if refusal is not None:
            raise refusal
        RETURN_FLOW.apply(request, "receive", by=by, event_model=ReturnEvent)
        returned = {line.order_line_id: line.quantity for line in lines}
        partial = _refund_amount(refund, lines_refund_amount(order, returned))
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
        reason = _("Returned: %(reason)s") % {"reason": request.reason}
        if partial is None:
            order_refund(order=order, amount=None, by=by, reason=reason, lines=returned)
        else:
            order_refund(order=order, amount=Money(partial, order.currency), by=by, reason=reason)
        request.received_at = timezone.now()
        request.refunded = Order.objects.get(pk=order.pk).refunded_total - before
        request.save(update_fields=["received_at", "refunded"])
        _declare_customs_return(order, request, returned)
    return request


def return_quota_restore(*, declaration_id: int) -> bool:
    """Customs accepted the goods back (the CEB626 of the return's CEB625, status 399): give
    the buyer's yearly quota back by the returned lines' share, once (the return's
    ``quota_restored_at``; the ledger's restore key ``return:<id>`` too). A customs return
    no return request asked for (an operator's, every line) changes nothing here."""
    with transaction.atomic():
        found = (
            ReturnRequest.objects.filter(customs_declaration_id=declaration_id)
            .values_list("pk", "order_id")
            .first()
        )
        if found is None:
            return False
        pk, order_id = found
        order = lock_orders([order_id])[order_id]
        request = lock_return(pk)
        if request.quota_restored_at is not None:
            return False
        checkout = order.checkout
        if request.quota_amount and request.quota_amount > 0 and order.paid_at:
            quota_restore(
                id_number=checkout.payer_id_number,
                year=timezone.localdate(order.paid_at).year,
                amount=request.quota_amount,
                reference=order.number,
                restore_key=f"return:{request.pk}",
            )
        request.quota_restored_at = timezone.now()
        request.save(update_fields=["quota_restored_at"])
    return True


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
