"""What happens to a paid order on the merchant's side: accepting it, the team's note, and the shopper's refund requests (docs/ORDERS.md, "Seller and back-office
screens", "Refund requests").

Every service takes the person who acts (``by``) and asks ``require_capability`` first
(``manage_orders``; operators pass). Orders are locked with ``orders.lock_objects.lock_orders``
(slot 8) before they are read for a decision; nothing here touches payments or stock, so no
other slot is taken. Acceptance and notes are not lifecycle moves: they write an
``OrderEvent`` whose ``from_state`` and ``to_state`` are the order's status, so the history
shows them beside the moves.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.money import Money
from marketplace.rules import field_error
from merchants.roles import Capability
from merchants.services import require_capability
from orders.flow import (
    ACCEPTABLE,
    REFUND_REQUESTABLE,
    SHOPPER_CANCELLABLE,
)
from orders.lock_objects import lock_orders
from orders.models import Order, OrderEvent, RefundRequest

S = Order.Status

NOTE_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 1000


def _locked(order: Order) -> Order:
    locked = lock_orders([order.pk])[order.pk]
    order.status = locked.status
    return locked


def _note_event(order: Order, *, transition: str, by, reason: str = "") -> OrderEvent:
    """An event that is no status move (acceptance, a note): from and to the same status."""
    return OrderEvent.objects.create(
        subject=order,
        transition=transition,
        from_state=order.status,
        to_state=order.status,
        actor=by if getattr(by, "is_authenticated", False) else None,
        reason=reason,
    )


@transaction.atomic
def order_accept(*, order: Order, by) -> Order:
    """The merchant takes the paid order on (``accepted_at``; one ``accept`` event). Accepting
    twice changes nothing; an order not paid, or already cancelled or refunded, is refused."""
    require_capability(by=by, merchant=order.merchant_id, capability=Capability.MANAGE_ORDERS)
    locked = _locked(order)
    if locked.accepted_at is not None:
        return locked
    if locked.status not in ACCEPTABLE:
        raise field_error(
            "status",
            _("Only a paid order that is not packed yet can be accepted (it is %(status)s).")
            % {"status": locked.get_status_display()},
            "order_not_acceptable",
        )
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    order.accepted_at = locked.accepted_at
    _note_event(locked, transition="accept", by=by)
    return locked


@transaction.atomic
def order_note_set(*, order: Order, by, note: str) -> Order:
    """The merchant's team note on the order (shown to the team and operators, never to the
    shopper); each change is kept in the history."""
    require_capability(by=by, merchant=order.merchant_id, capability=Capability.MANAGE_ORDERS)
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise field_error(
            "note",
            _("A note can have at most %(max)s characters.") % {"max": NOTE_MAX_LENGTH},
            "note_too_long",
        )
    locked = _locked(order)
    if locked.merchant_note == note:
        return locked
    locked.merchant_note = note
    locked.save(update_fields=["merchant_note"])
    order.merchant_note = note
    _note_event(locked, transition="note", by=by, reason=note)
    return locked


def reason_checked(reason: str) -> str:
    """A decision's or a request's reason: required, at most ``REASON_MAX_LENGTH``."""
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Please give a reason."), "reason_required")
    if len(reason) > REASON_MAX_LENGTH:
        raise field_error(
            "reason",
            _("A reason can have at most %(max)s characters.") % {"max": REASON_MAX_LENGTH},
            "reason_too_long",
        )
    return reason


def _amount(value, order: Order) -> Money | None:
    """The one reading of a refund amount typed or stored (the order's currency): None for
    "everything not refunded yet", else a positive amount. How much is left to refund is
    ``order_refund``'s rule (a request checks it up front: ``_refundable``)."""
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0:
        raise field_error("amount", _("Enter an amount greater than zero."), "amount_invalid")
    return Money(amount, order.currency)


def _refundable(amount: Money | None, order: Order) -> Money | None:
    if amount is not None and amount.amount > order.total - order.refunded_total:
        raise field_error(
            "amount",
            _("At most %(left)s %(currency)s can still be refunded.")
            % {"left": order.total - order.refunded_total, "currency": order.currency},
            "amount_over_refundable",
        )
    return amount


@transaction.atomic
def refund_request_create(*, order: Order, by, reason: str, amount=None) -> RefundRequest:
    """The shopper asks for a refund of a paid order: everything not refunded yet
    (``amount`` None) or ``amount`` in the order's currency, with a reason. The merchant's
    team and operators see it on the order and decide; one open request per order."""
    if not getattr(by, "is_authenticated", False) or by.pk != order.user_id:
        raise field_error(
            "order",
            _("Only the shopper who placed the order can ask for a refund."),
            "not_your_order",
        )
    reason = reason_checked(reason)
    locked = _locked(order)
    if locked.status not in REFUND_REQUESTABLE or locked.refunded_total >= locked.total:
        raise field_error(
            "order",
            _(
                "A refund can be asked for once the order is packed, until it is fully refunded "
                "(it is %(status)s)."
            )
            % {"status": locked.get_status_display()},
            "order_not_refundable",
        )
    value = _refundable(_amount(amount, locked), locked)
    if RefundRequest.objects.filter(order=locked, status=RefundRequest.Status.OPEN).exists():
        raise field_error(
            "order",
            _("You have already asked for a refund of this order: the seller will answer."),
            "refund_request_open",
        )
    try:
        with transaction.atomic():
            request = RefundRequest.objects.create(
                order=locked,
                requested_by=by,
                amount=None if value is None else value.amount,
                reason=reason,
            )
    except IntegrityError:  # the one-open-request constraint: the order lock makes it rare
        raise field_error(
            "order",
            _("You have already asked for a refund of this order: the seller will answer."),
            "refund_request_open",
        ) from None
    _note_event(locked, transition="refund_request", by=by, reason=reason)
    return request


def _decider_check(request: RefundRequest, by) -> None:
    require_capability(
        by=by, merchant=request.order.merchant_id, capability=Capability.MANAGE_ORDERS
    )


@transaction.atomic
def refund_request_decline(*, request: RefundRequest, by, reason: str) -> RefundRequest:
    """The merchant's team (or an operator) declines the shopper's request, saying why; the
    shopper reads the reason on the order page."""
    _decider_check(request, by)
    reason = reason_checked(reason)
    order = _locked(request.order)
    current = RefundRequest.objects.get(pk=request.pk)
    if current.status != RefundRequest.Status.OPEN:
        raise field_error(
            "request", _("This request has already been answered."), "refund_request_decided"
        )
    current.status = RefundRequest.Status.DECLINED
    current.decided_by = by if getattr(by, "is_authenticated", False) else None
    current.decided_at = timezone.now()
    current.decision_note = reason
    current.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _note_event(order, transition="refund_decline", by=by, reason=reason)
    request.status, request.decision_note = current.status, current.decision_note
    return current


def order_cancel_by_shopper(*, order: Order, by, reason: str = "") -> Order:
    """The shopper cancels their order until the merchant packs it (the money comes back
    through ``order_cancel``); from packing on they ask for a refund instead."""
    from .cancel import order_cancel

    if not getattr(by, "is_authenticated", False) or by.pk != order.user_id:
        raise field_error(
            "order", _("Only the shopper who placed the order can cancel it."), "not_your_order"
        )
    if order.status not in SHOPPER_CANCELLABLE:
        raise field_error(
            "order",
            _("The seller has packed this order: ask for a refund instead."),
            "order_not_cancellable",
        )
    reason = (reason or "").strip()[:REASON_MAX_LENGTH] or _("Cancelled by the shopper.")
    return order_cancel(order=order, by=by, reason=reason)


def order_refund_by_team(*, order: Order, by, reason: str, amount=None):
    """The merchant's team (``manage_orders``) or an operator refunds ``amount`` of a paid
    order (the order's currency), or everything not refunded yet; ``order_refund`` does the
    rest (before shipping a refund of everything is a cancellation)."""
    from .cancel import order_refund

    require_capability(by=by, merchant=order.merchant_id, capability=Capability.MANAGE_ORDERS)
    reason = reason_checked(reason)
    return order_refund(order=order, amount=_amount(amount, order), by=by, reason=reason)


@transaction.atomic
def refund_request_approve(*, request: RefundRequest, by, reason: str = "") -> RefundRequest:
    """The merchant's team (or an operator) grants the shopper's request: the amount asked
    (or everything not refunded yet) is refunded through ``order_refund`` — which takes the
    checkout, payment and order locks in the lock order — and the request is marked
    refunded, in one transaction (a request answered meanwhile rolls the refund back)."""
    from .cancel import order_refund

    _decider_check(request, by)
    if RefundRequest.objects.get(pk=request.pk).status != RefundRequest.Status.OPEN:
        raise field_error(
            "request", _("This request has already been answered."), "refund_request_decided"
        )
    order = request.order
    order_refund(order=order, amount=_amount(request.amount, order), by=by, reason=request.reason)
    current = RefundRequest.objects.get(pk=request.pk)  # under the order's lock now
    if current.status != RefundRequest.Status.OPEN:
        raise field_error(
            "request", _("This request has already been answered."), "refund_request_decided"
        )
    current.status = RefundRequest.Status.APPROVED
    current.decided_by = by if getattr(by, "is_authenticated", False) else None
    current.decided_at = timezone.now()
    current.decision_note = (reason or "").strip()[:REASON_MAX_LENGTH]
    current.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    request.status = current.status
    return current
