"""Fulfilment reads: an order's tracking as the shopper sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import F, Prefetch, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_date

from marketplace.localcache import LocalCache

from .models import CarrierFeed, Parcel, TrackingEvent
from .statuses import Status


@dataclass
class TimelineEvent:
    status: str
    label: str  # the normalised status in the page's language
    carrier_text: str  # the carrier's own words, beside it
    location: str
    occurred_at: datetime


@dataclass
class ParcelTimeline:
    waybill_number: str
    carrier_name: str
    status: str
    label: str
    events: list[TimelineEvent] = field(default_factory=list)


@dataclass
class OrderTracking:
    parcels: list[ParcelTimeline]
    promised_from: date | None
    promised_by: date | None
    delivered_on: date | None
    on_time: bool | None  # None: not known yet (no promise, or still within it)


# The pushing feeds as ``push_feed`` last read them, per carrier code, in process memory
# (docs/LOGISTICS.md, "Tracking": the rule). A kept feed is at most FEED_TTL seconds old; the
# webhook reads it again whenever a signature does not match it, so a rotated secret works
# from its first push, and a feed disabled or removed stops answering within FEED_TTL.
FEED_TTL = 10
_push_feeds: LocalCache[CarrierFeed | None] = LocalCache(maxsize=256, ttl=FEED_TTL)


def push_feed(carrier_code: str, *, fresh: bool = False) -> CarrierFeed | None:
    """The active pushing feed of a carrier, with its carrier, for the webhook: its secret as
    the stored Fernet token (``secret_token``, not decrypted here: ``tracking.feed_secret``
    decrypts it once per token and process). Kept in process memory for ``FEED_TTL``
    seconds (no query); ``fresh``: read now (and kept)."""
    if not fresh:
        kept = _push_feeds.peek(carrier_code)
        if kept is not None:
            return kept
    return _push_feeds.get(carrier_code, lambda: _push_feed_read(carrier_code), refresh=True)


def _push_feed_read(carrier_code: str) -> CarrierFeed | None:
    return (
        CarrierFeed.objects.select_related("carrier")
        .only("pk", "carrier_id", "vocabulary", "carrier__code")
        .annotate(secret_token=Cast(F("webhook_secret"), output_field=TextField()))
        .filter(carrier__code=carrier_code, is_active=True, delivery=CarrierFeed.Delivery.PUSH)
        .first()
    )


def push_feeds_forget() -> None:
    """Forget the kept feeds in this process (a feed saved here is read at its next push)."""
    _push_feeds.clear()


def promised_window(order) -> tuple[date | None, date | None]:
    """The window the shopper was promised: the option's dates as frozen at checkout, else
    its days counted from payment."""
    shipping = order.shipping or {}
    earliest = parse_date(str(shipping.get("earliest") or "")) if shipping.get("earliest") else None
    latest = parse_date(str(shipping.get("latest") or "")) if shipping.get("latest") else None
    if latest is None and order.paid_at and shipping.get("max_days") is not None:
        start = timezone.localdate(order.paid_at)
        earliest = start + timedelta(days=int(shipping.get("min_days") or 0))
        latest = start + timedelta(days=int(shipping["max_days"]))
    return earliest, latest


def order_tracking(order, *, today: date | None = None) -> OrderTracking:
    """The order's parcels with their events (newest first), the promise and whether it is
    kept. Two queries: parcels with carriers, and their events."""
    labels = dict(Status.choices)
    parcels = list(
        Parcel.objects.filter(order=order)
        .select_related("carrier")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=TrackingEvent.objects.exclude(status="").order_by("-occurred_at", "-id"),
            )
        )
        .order_by("pk")
    )
    timelines = [
        ParcelTimeline(
            waybill_number=p.waybill_number,
            carrier_name=p.carrier.name,
            status=p.status,
            label=str(labels.get(p.status, p.status)),
            events=[
                TimelineEvent(
                    status=e.status,
                    label=str(labels.get(e.status, e.status)),
                    carrier_text=e.text,
                    location=e.location,
                    occurred_at=e.occurred_at,
                )
                for e in p.events.all()
            ],
        )
        for p in parcels
    ]
    earliest, latest = promised_window(order)
    live = [p for p in parcels if p.replaced_by_id is None]  # a parcel sent again: its new one
    delivered = [p.delivered_at for p in live if p.delivered_at]
    delivered_on = (
        timezone.localdate(max(delivered)) if live and len(delivered) == len(live) else None
    )
    today = today or timezone.localdate()
    on_time = None
    if latest is not None:
        if delivered_on is not None:
            on_time = delivered_on <= latest
        elif today > latest:
            on_time = False
    return OrderTracking(timelines, earliest, latest, delivered_on, on_time)
