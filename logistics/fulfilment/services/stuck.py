"""Stuck parcels and the exceptions queue (docs/LOGISTICS.md, "Operations").

``stuck_detect`` (beat, ``stuck_detect_due``) opens a ``ParcelException`` for every parcel on
its way that has had no carrier event for longer than its route's threshold (by event time),
is past the promised window (plus the threshold's grace days), or whose carrier reported a
problem (``exception``). Insert-only under a partial unique constraint (one open exception
per parcel), so two runs at once, or a run twice, open each exception once.

Operators work the queue: ``exception_contact_carrier`` records what they asked or heard
(an event, no move), ``exception_reship`` sends the goods again in a new parcel on a new
waybill (the old one is ``replaced_by`` it: the order now waits for the new one),
``exception_refund`` refunds through ``orders.services.order_refund_by_team``, and
``exception_close`` closes one that resolved itself.

Locks (docs/ARCHITECTURE.md, slot 13): the order (8), the parcel, then the exception (its
``Workflow.apply``); a new waybill number (14) last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import require_operator
from logistics.shipping.waybills import waybill_allocate
from marketplace.outbox import outbox_enqueue
from marketplace.rules import field_error
from orders.lock_objects import lock_orders
from orders.models import Order
from orders.services import order_refund_by_team
from orders.services.fulfilment import reason_checked

from ..lock_objects import lock_parcel_exception, lock_parcels
from ..models import Parcel, ParcelLine
from ..outbox import CARRIER_BOOKING, route_key
from ..selectors import promised_window
from ..statuses import FINAL, Status
from ..stuck_models import (
    EXCEPTION_FLOW,
    ParcelException,
    ParcelExceptionEvent,
    Route,
    TransitThreshold,
)


@dataclass(frozen=True)
class Threshold:
    quiet_hours: int
    grace_days: int = 0


# Defaults (an operator overrides them per route or per shipping method, TransitThreshold):
# the longest quiet stretch of a normal journey is about a third of its transit time
# (between leaving the origin and reaching the destination hub), so a parcel is stuck after
# about 35 % of the longest typical transit of its route in tracking.md, rounded up.
DEFAULT_THRESHOLDS: dict[str, Threshold] = {
    Route.EXPRESS: Threshold(quiet_hours=48),  # 3–5 days
    Route.BONDED_DOMESTIC: Threshold(quiet_hours=48),  # 1–5 working days
    Route.DEDICATED_LINE: Threshold(quiet_hours=144),  # 7–15 days
    Route.DIRECT_CHINA: Threshold(quiet_hours=144),  # about 2 weeks
    Route.POSTAL: Threshold(quiet_hours=288),  # 15–30+ days
    Route.RUSSIA_SOUTH_AMERICA: Threshold(quiet_hours=288),  # 25–30 days
}

# Parcels that can be stuck: on their way, not given up on, of an order still travelling.
TRAVELLING_ORDERS = (Order.Status.PACKED, Order.Status.SHIPPED)


def thresholds() -> tuple[dict[str, Threshold], dict[int, Threshold]]:
    """The thresholds in force: per route (defaults overlaid with the operator's rows) and
    per shipping method."""
    by_route = dict(DEFAULT_THRESHOLDS)
    by_method: dict[int, Threshold] = {}
    for row in TransitThreshold.objects.all():
        value = Threshold(row.quiet_hours, row.grace_days)
        if row.shipping_method_id:
            by_method[row.shipping_method_id] = value
        else:
            by_route[row.route] = value
    return by_route, by_method


def _why_stuck(parcel: Parcel, threshold: Threshold, now: datetime) -> tuple[str, str] | None:
    if parcel.status == Status.EXCEPTION:
        return ParcelException.Reason.CARRIER, ""
    last_news = parcel.status_at or parcel.booked_at or parcel.created_at
    quiet = now - last_news
    if quiet > timedelta(hours=threshold.quiet_hours):
        hours = int(quiet.total_seconds() // 3600)
        return ParcelException.Reason.QUIET, f"{hours} h > {threshold.quiet_hours} h"
    _earliest, latest = promised_window(parcel.order)
    if latest is not None and timezone.localdate(now) > latest + timedelta(
        days=threshold.grace_days
    ):
        return ParcelException.Reason.LATE, f"> {latest.isoformat()}"
    return None


def stuck_detect(*, now: datetime | None = None) -> int:
    """Open an exception for every stuck parcel that has none open (see the module).
    Returns how many were opened."""
    now = now or timezone.now()
    by_route, by_method = thresholds()
    candidates = (
        Parcel.objects.filter(replaced_by__isnull=True, order__status__in=TRAVELLING_ORDERS)
        .exclude(status__in=FINAL)
        .exclude(exceptions__status=ParcelException.Status.OPEN)
        .select_related("order__checkout", "order__shipping_method")
    )
    opened = []
    for parcel in candidates.iterator(chunk_size=500):
        route = parcel.route or route_key(parcel)
        threshold = by_method.get(parcel.order.shipping_method_id) or by_route.get(
            route, DEFAULT_THRESHOLDS[Route.POSTAL]
        )
        why = _why_stuck(parcel, threshold, now)
        if why is None:
            continue
        opened.append(
            ParcelException(
                merchant_id=parcel.merchant_id,
                parcel=parcel,
                order_id=parcel.order_id,
                reason=why[0],
                detail=why[1],
            )
        )
    # A concurrent run's row wins on the partial unique constraint, silently.
    made = ParcelException.objects.bulk_create(opened, ignore_conflicts=True)
    return len(made)


def _refuse_unless_open(exception: ParcelException) -> None:
    if exception.status != ParcelException.Status.OPEN:
        raise field_error(
            "status",
            _("This exception is closed (%(status)s).")
            % {"status": exception.get_status_display()},
            "exception_closed",
        )


@transaction.atomic
def exception_contact_carrier(*, exception: ParcelException, by, note: str) -> ParcelExceptionEvent:
    """Record that the carrier was contacted (what was asked, what it said); the exception
    stays open."""
    require_operator(by, _("Only operators work the exceptions queue."))
    note = reason_checked(note)
    locked = lock_parcel_exception(exception.pk)
    _refuse_unless_open(locked)
    return ParcelExceptionEvent.objects.create(
        subject=locked,
        transition="contact",
        from_state=locked.status,
        to_state=locked.status,
        actor=by,
        reason=note,
    )


@transaction.atomic
def exception_reship(*, exception: ParcelException, by, reason: str = "") -> Parcel:
    """Send the parcel's goods again: a new parcel on the same shipment, with the same lines,
    on a new waybill of the same carrier, booked with the carrier after commit; the old
    parcel is ``replaced_by`` it, so the order is delivered when the new one is."""
    require_operator(by, _("Only operators work the exceptions queue."))
    lock_orders([exception.order_id])
    old = lock_parcels([exception.parcel_id])[exception.parcel_id]
    if old.status == Status.DELIVERED or old.replaced_by_id:
        raise field_error(
            "parcel",
            _("This parcel was delivered or already sent again."),
            "parcel_not_reshippable",
        )
    EXCEPTION_FLOW.apply(
        exception, "reship", by=by, event_model=ParcelExceptionEvent, reason=reason
    )
    new = Parcel.objects.create(
        merchant_id=old.merchant_id,
        shipment_id=old.shipment_id,
        order_id=old.order_id,
        carrier_id=old.carrier_id,
        waybill_number=waybill_allocate(carrier=old.carrier),
        weight_kg=old.weight_kg,
        length_cm=old.length_cm,
        width_cm=old.width_cm,
        height_cm=old.height_cm,
        route=old.route,
    )
    ParcelLine.objects.bulk_create(
        ParcelLine(parcel=new, line_id=line.line_id, quantity=line.quantity)
        for line in ParcelLine.objects.filter(parcel=old)
    )
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    ParcelException.objects.filter(pk=exception.pk).update(
        replacement=new, closed_at=timezone.now()
    )
    outbox_enqueue(
        kind=CARRIER_BOOKING, payload={"parcel_id": new.pk}, key=f"carrier-booking:{new.pk}"
    )
    return new


@transaction.atomic
def exception_refund(*, exception: ParcelException, by, reason: str, amount=None):
    """Refund the shopper for the parcel (``amount`` in the order's currency, or the rest of
    the order) through the orders' refund service, and close the exception as refunded."""
    require_operator(by, _("Only operators work the exceptions queue."))
    _refuse_unless_open(exception)
    order = Order.objects.get(pk=exception.order_id)
    refund = order_refund_by_team(order=order, by=by, reason=reason, amount=amount)
    EXCEPTION_FLOW.apply(
        exception, "refund", by=by, event_model=ParcelExceptionEvent, reason=reason
    )
    ParcelException.objects.filter(pk=exception.pk).update(closed_at=timezone.now())
    return refund


@transaction.atomic
def exception_close(*, exception: ParcelException, by, reason: str) -> None:
    """Close an exception that needs nothing more (the parcel moved again, the shopper has
    it), saying why."""
    require_operator(by, _("Only operators work the exceptions queue."))
    EXCEPTION_FLOW.apply(
        exception, "close", by=by, event_model=ParcelExceptionEvent, reason=reason_checked(reason)
    )
    ParcelException.objects.filter(pk=exception.pk).update(closed_at=timezone.now())
