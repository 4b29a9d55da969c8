"""Carrier events in, parcel statuses and order moves out (docs/LOGISTICS.md, "Tracking").

``tracking_events_record`` is the one door for events, pushed (the webhook) or polled (the
adapters): it stores each event once, with the carrier's raw payload and the normalised
status, then recomputes the parcels it touched — a parcel's status is that of its latest
event **by event time**, so a late or out-of-order event never moves it back — and moves the
order through ``ORDER_FLOW``: "ship" at the first carrier scan of any of its parcels (the
allocations leave the stock with ``stock_ship``), "deliver" once every parcel is delivered.

Locks (docs/ARCHITECTURE.md): per order, the order (8), then the stock rows ``stock_ship``
takes (9), then its parcels (13). Events are inserted before, without locks: the unique
constraint (parcel, status, event time, location) de-duplicates concurrent deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog.services.stock import StockLine, stock_ship
from logistics.shipping.models import Carrier
from marketplace.crypto import decrypt
from orders.flow import ORDER_FLOW
from orders.lock_objects import lock_orders
from orders.models import Allocation, Order, OrderEmail, OrderEvent
from orders.notifications import enqueue_order_email

from ..adapters import adapter_for
from ..lock_objects import lock_parcels
from ..models import CarrierFeed, Parcel, TrackingEvent
from ..statuses import FINAL, NOT_SCANNED, PROGRESS, UNMAPPED, Status, normalise

log = logging.getLogger("fulfilment.tracking")

# The parcel statuses the shopper is emailed about (orders.notifications, the notifications
# queue, in their checkout's language), when a parcel's status becomes one of them.
SHOPPER_EMAILS = {
    Status.CUSTOMS: OrderEmail.Kind.CUSTOMS,
    Status.OUT_FOR_DELIVERY: OrderEmail.Kind.DELIVERING,
    Status.DELIVERED: OrderEmail.Kind.DELIVERED,
    Status.EXCEPTION: OrderEmail.Kind.EXCEPTION,
}

SIGNATURE_HEADER = "X-Silkway-Signature"  # "sha256=<hex of HMAC-SHA256(secret, raw body)>"


def signature_of(secret: str, body: bytes) -> str:
    """The signature header value a carrier sends for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# The feeds' decrypted secrets, per feed: {feed pk: (Fernet token as stored, plain secret)}.
# In process memory only; a new or rotated secret is a new token (Fernet tokens carry a fresh
# IV and time), so the entry is replaced the first time the new token is read.
_SECRETS: dict[int, tuple[str, str]] = {}


def feed_secret(feed: CarrierFeed) -> str:
    """The feed's plain webhook secret. A feed read with ``secret_token`` (its stored token,
    as ``selectors.push_feed`` annotates it) is decrypted once per token and process;
    otherwise the field decrypts it as read."""
    token = feed.__dict__.get("secret_token")
    if token is None:
        return feed.webhook_secret
    if not token:
        return ""
    cached = _SECRETS.get(feed.pk)
    if cached is not None and cached[0] == token:
        return cached[1]
    secret = decrypt(token)
    _SECRETS[feed.pk] = (token, secret)
    return secret


def webhook_verify(*, feed: CarrierFeed, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is the feed's HMAC-SHA256 of the raw ``body`` (constant time).
    A feed without a secret accepts nothing."""
    secret = feed_secret(feed)
    if not secret or not signature:
        return False
    return hmac.compare_digest(signature_of(secret, body), signature.strip())


@dataclass
class RecordResult:
    accepted: int = 0
    duplicates: int = 0
    unknown_waybills: int = 0
    unmapped: int = 0
    invalid: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _event_time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = parse_datetime(value)
    if parsed is None or timezone.is_naive(parsed):
        return None  # a time without its zone cannot be ordered against the others
    return parsed.astimezone(UTC)


def _text(value, limit: int) -> str:
    return (value if isinstance(value, str) else "").strip()[:limit]


def _event_row(
    vocabulary: str, raw: str, when, item: dict, *, source: str, parcel_id: int | None = None
) -> TrackingEvent:
    """A carrier's event as the row it is stored as: its status normalised from the feed's
    vocabulary, its text and place cut to their columns, the raw payload kept."""
    return TrackingEvent(
        parcel_id=parcel_id,
        status=normalise(vocabulary, raw),
        raw_status=raw,
        text=_text(item.get("text"), 500),
        location=_text(item.get("location"), 200),
        occurred_at=when,
        source=source,
        payload=item,
    )


def tracking_events_record(
    *, carrier: Carrier, events: list, source: str, feed: CarrierFeed | None = None
) -> RecordResult:
    """Store ``events`` of ``carrier`` (each ``{"waybill", "status", "time", "location",
    "text"}``; ``status`` in the feed's vocabulary, ``time`` ISO 8601 with its zone) and
    move what they move. Idempotent: the same events again change nothing. ``feed``: the
    carrier's feed when the caller has it (the webhook), else it is read."""
    result = RecordResult()
    if feed is None or feed.carrier_id != carrier.pk:
        feed = CarrierFeed.objects.filter(carrier=carrier).first()
    vocabulary = feed.vocabulary if feed else "silkway"
    parsed = []
    for item in events if isinstance(events, list) else []:
        if not isinstance(item, dict):
            result.invalid += 1
            continue
        waybill = _text(item.get("waybill"), 40)
        raw = _text(item.get("status"), 60)
        when = _event_time(item.get("time"))
        if not waybill or not raw or when is None:
            result.invalid += 1
            continue
        parsed.append((waybill, raw, when, item))
    if parsed and connection.vendor == "postgresql" and len({w for w, *_ in parsed}) == 1:
        return _record_one_parcel(carrier, vocabulary, parsed, source, result)
    parcels = {
        p.waybill_number: p
        for p in Parcel.objects.filter(carrier=carrier, waybill_number__in={w for w, *_ in parsed})
        .select_related("order")
        .only(
            "pk", "order_id", "waybill_number", "status", "status_at", "shipped_at", "order__status"
        )
    }
    rows: dict[tuple, TrackingEvent] = {}
    for waybill, raw, when, item in parsed:
        parcel = parcels.get(waybill)
        if parcel is None:
            result.unknown_waybills += 1
            continue
        row = _event_row(vocabulary, raw, when, item, source=source, parcel_id=parcel.pk)
        if row.status == UNMAPPED:
            result.unmapped += 1
            log.warning("unmapped carrier status", extra={"carrier": carrier.code, "raw": raw})
        key = (parcel.pk, row.status, when, row.location)
        if key in rows:
            result.duplicates += 1
            continue
        rows[key] = row
    if not rows:
        return result
    rows_by_parcel: dict[int, list[TrackingEvent]] = {}
    for row in rows.values():
        rows_by_parcel.setdefault(row.parcel_id, []).append(row)
    by_order: dict[int, list[Parcel]] = {}
    for parcel in parcels.values():
        if parcel.pk in rows_by_parcel:
            by_order.setdefault(parcel.order_id, []).append(parcel)
    # The orders whose parcels' events (new or not) can only move the parcels' time on:
    # their parcels move in the statement (or transaction) that stores the events; the
    # others are recomputed after it, each order in its own transaction.
    fast = {
        order_id
        for order_id, touched in by_order.items()
        if all(_only_time_moves(p, rows_by_parcel[p.pk]) for p in touched)
    }
    moving = sorted((p for o in fast for p in by_order[o]), key=lambda p: p.pk)
    if len(moving) <= 1:
        # most pushes: one statement (no transaction to open and commit) stores the
        # events and moves the one parcel's time on
        new, moved = _insert_new(rows, move=moving[0] if moving else None)
    else:
        with transaction.atomic(savepoint=False):  # nothing in it can fail alone
            new, _ = _insert_new(rows)
            new_of: dict[int, list[TrackingEvent]] = {}
            for row in new.values():
                new_of.setdefault(row.parcel_id, []).append(row)
            moved = {
                p.pk
                for p in moving  # by pk: the parcels' locks (slot 13) in order
                if p.pk in new_of and _move_time_on(p, new_of[p.pk])
            }
    result.duplicates += len(rows) - len(new)
    result.accepted = len(new)
    stored = {row.parcel_id for row in new.values()}
    slow = {
        order_id
        for order_id, touched in by_order.items()
        # a fast parcel not moved while it has new events: its status changed meanwhile
        if any(p.pk in stored and (order_id not in fast or p.pk not in moved) for p in touched)
    }
    for order_id in sorted(slow):
        parcels_follow_events(order_id=order_id)
    return result


# Most pushes carry events of one parcel (a carrier pushes each scan as it happens): one
# statement reads the parcel with its order's status, stores the new events (the unique key
# de-duplicates, ON CONFLICT DO NOTHING) and moves the parcel's time on to its latest new
# event if the parcel still has the events' one status (``_move_time_on``'s rule; it locks
# only that parcel's row, slot 13). It answers the parcel as read, whether it moved and the
# events stored; no row: no such waybill. Python then decides whether the order follows.
_RECORD_ONE_PARCEL = (
    "WITH p AS (SELECT p.id, p.order_id, p.status, p.status_at, p.shipped_at,"
    " o.status AS order_status FROM {parcels} p JOIN {orders} o ON o.id = p.order_id"
    " WHERE p.carrier_id = %s AND p.waybill_number = %s),"
    " ins AS (INSERT INTO {events} (parcel_id, status, raw_status, text, location,"
    " occurred_at, received_at, source, payload) SELECT p.id, v.* FROM p, (VALUES {values}) v"
    " ON CONFLICT ON CONSTRAINT fulfilment_event_once DO NOTHING"
    " RETURNING id, status, occurred_at, location),"
    " moved AS (UPDATE {parcels} q SET status_at = GREATEST(q.status_at,"
    " (SELECT max(occurred_at) FROM ins)), last_event_received_at = %s"
    " WHERE q.id = (SELECT id FROM p) AND q.status = %s AND (SELECT status FROM p) = q.status"
    " AND EXISTS (SELECT 1 FROM ins) RETURNING q.id)"
    " SELECT p.id, p.order_id, p.status, p.status_at, p.shipped_at, p.order_status,"
    " EXISTS (SELECT 1 FROM moved), ins.id FROM p LEFT JOIN ins ON true"
)


def _record_one_parcel(
    carrier: Carrier, vocabulary: str, parsed: list, source: str, result: RecordResult
) -> RecordResult:
    """``tracking_events_record`` for events of one waybill, on PostgreSQL: one statement
    (``_RECORD_ONE_PARCEL``, in autocommit: no transaction to open and commit) instead of
    the parcels read and the insert; the order follows (``parcels_follow_events``) unless
    the events could only move the parcel's time on (``_only_time_moves``, on the parcel as
    the statement read it) and the statement moved it."""
    rows: dict[tuple, TrackingEvent] = {}
    unmapped: list[str] = []
    repeated = 0
    for _, raw, when, item in parsed:
        row = _event_row(vocabulary, raw, when, item, source=source)
        if row.status == UNMAPPED:
            unmapped.append(raw)
        key = (row.status, when, row.location)
        if key in rows:
            repeated += 1
            continue
        rows[key] = row
    now = timezone.now()
    params: list = [carrier.pk, parsed[0][0]]
    for row in rows.values():
        params += _event_values(row, now)
    statuses = {row.status for row in rows.values()}
    params += [now, statuses.pop() if len(statuses) == 1 else None]  # (None: never moves)
    sql = _RECORD_ONE_PARCEL.format(
        parcels=Parcel._meta.db_table,
        orders=Order._meta.db_table,
        events=TrackingEvent._meta.db_table,
        values=", ".join(
            ["(%s, %s, %s, %s, %s::timestamptz, %s::timestamptz, %s, %s::jsonb)"] * len(rows)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        answer = cursor.fetchall()
    if not answer:
        result.unknown_waybills += len(parsed)
        return result
    pk, order_id, status, status_at, shipped_at, order_status, moved, _ = answer[0]
    for raw in unmapped:  # counted and logged for a known parcel, as for several
        result.unmapped += 1
        log.warning("unmapped carrier status", extra={"carrier": carrier.code, "raw": raw})
    result.accepted = sum(1 for *_, event_id in answer if event_id is not None)
    result.duplicates += repeated + len(rows) - result.accepted
    parcel = Parcel(
        pk=pk, order_id=order_id, status=status, status_at=status_at, shipped_at=shipped_at
    )
    parcel.order = Order(pk=order_id, status=order_status)
    if result.accepted and not (moved and _only_time_moves(parcel, list(rows.values()))):
        parcels_follow_events(order_id=order_id)
    return result


def _event_values(row: TrackingEvent, received_at) -> list:
    """An event's columns after its parcel, in the order the insert statements name them."""
    return [
        row.status,
        row.raw_status,
        row.text,
        row.location,
        row.occurred_at,
        received_at,
        row.source,
        json.dumps(row.payload),
    ]


_INSERT_EVENTS = (
    "INSERT INTO {table} (parcel_id, status, raw_status, text, location, occurred_at,"
    " received_at, source, payload) VALUES {values}"
    " ON CONFLICT ON CONSTRAINT fulfilment_event_once DO NOTHING"
    " RETURNING id, parcel_id, status, occurred_at, location"
)
# The insert, and the one time-only parcel moved on to its latest new event (one statement,
# so no transaction to open and commit; it locks only that parcel's row, slot 13).
_INSERT_AND_MOVE = (
    "WITH ins AS ({insert}), moved AS ("
    " UPDATE {parcels} p SET status_at = GREATEST(p.status_at, latest.at),"
    " last_event_received_at = %s"
    " FROM (SELECT max(occurred_at) AS at FROM ins WHERE parcel_id = %s) latest"
    " WHERE p.id = %s AND p.status = %s AND latest.at IS NOT NULL RETURNING p.id)"
    " SELECT ins.*, EXISTS (SELECT 1 FROM moved) FROM ins"
)


def _insert_new(
    rows: dict[tuple, TrackingEvent], *, move: Parcel | None = None
) -> tuple[dict[tuple, TrackingEvent], set[int]]:
    """Insert ``rows`` (by their de-duplication key) in one statement that skips the keys
    already stored (the unique constraint ``fulfilment_event_once``: a concurrent delivery
    of the same event loses silently too), instead of a read of the stored keys and the
    ORM's insert. Returns the rows inserted (with their pk) and the pks of the parcels
    moved: with ``move`` (a parcel whose events only move its time on), the same statement
    moves its time on to its latest new event, if it still has the status it was read
    with (``_move_time_on``'s rule)."""
    if connection.vendor != "postgresql":
        return _insert_new_portable(rows, move=move)
    now = timezone.now()
    params: list = []
    for row in rows.values():
        params += [row.parcel_id, *_event_values(row, now)]
    sql = _INSERT_EVENTS.format(
        table=TrackingEvent._meta.db_table,
        values=", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)"] * len(rows)),
    )
    if move is not None:
        sql = _INSERT_AND_MOVE.format(insert=sql, parcels=Parcel._meta.db_table)
        params += [now, move.pk, move.pk, move.status]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchall()
    new: dict[tuple, TrackingEvent] = {}
    moved: set[int] = set()
    for pk, parcel_id, status, occurred_at, location, *was_moved in inserted:
        # (``was_moved``: with ``move``, whether its parcel moved; the same on every row)
        key = (parcel_id, status, occurred_at, location)
        row = rows[key]
        row.pk, row.received_at = pk, now
        new[key] = row
        if move is not None and was_moved[0]:
            moved.add(move.pk)
    return new, moved


def _insert_new_portable(
    rows: dict[tuple, TrackingEvent], *, move: Parcel | None
) -> tuple[dict[tuple, TrackingEvent], set[int]]:
    """``_insert_new`` for the embedded default (SQLite, one writer at a time): read the
    stored keys, insert the others with the ORM and move ``move`` on, in one transaction."""
    with transaction.atomic(savepoint=False):
        seen = set(
            TrackingEvent.objects.filter(
                parcel_id__in={k[0] for k in rows}, occurred_at__in={k[2] for k in rows}
            ).values_list("parcel_id", "status", "occurred_at", "location")
        )
        new = {key: row for key, row in rows.items() if key not in seen}
        TrackingEvent.objects.bulk_create(new.values(), ignore_conflicts=True)
        own = [row for row in new.values() if move is not None and row.parcel_id == move.pk]
        moved = {move.pk} if own and _move_time_on(move, own) else set()
    return new, moved


def _only_time_moves(parcel: Parcel, events: list[TrackingEvent]) -> bool:
    """Whether the new ``events`` can change nothing of ``parcel`` and its order but the
    parcel's status time (most pushes: a travelling parcel's next scan). So when the order is
    shipped (no "ship" to apply), the parcel scanned and not delivered, and every new event
    repeats its status at or after its first scan: no new status, no email, no delivery,
    the same first scan."""
    if parcel.order.status != Order.Status.SHIPPED:
        return False
    if parcel.status in NOT_SCANNED or parcel.status in FINAL or parcel.status_at is None:
        return False
    return parcel.shipped_at is not None and all(
        e.status == parcel.status and e.occurred_at >= parcel.shipped_at for e in events
    )


def _move_time_on(parcel: Parcel, events: list[TrackingEvent]) -> bool:
    """The fast path: one statement keeps the later of the parcel's time and the events',
    while the parcel still has the status it was read with (False: it changed meanwhile).
    A concurrent ``parcels_follow_events`` reads the events after locking the parcels, so
    either it saw these events or this update waits for its lock and then moves the time
    on: never backwards."""
    latest = max(e.occurred_at for e in events)
    return bool(
        Parcel.objects.filter(pk=parcel.pk, status=parcel.status).update(
            status_at=Greatest(F("status_at"), Value(latest)),
            last_event_received_at=timezone.now(),
        )
    )


def _latest(events: list[TrackingEvent]) -> TrackingEvent | None:
    moving = [e for e in events if e.status != UNMAPPED]
    if not moving:
        return None
    return max(moving, key=lambda e: (e.occurred_at, PROGRESS.get(e.status, 0), e.pk))


def _events_of(parcel_ids: list[int]) -> dict[int, list[TrackingEvent]]:
    events: dict[int, list[TrackingEvent]] = {pk: [] for pk in parcel_ids}
    for event in TrackingEvent.objects.filter(parcel_id__in=parcel_ids).only(
        "pk", "parcel_id", "status", "occurred_at", "received_at"
    ):
        events[event.parcel_id].append(event)
    return events


@transaction.atomic
def parcels_follow_events(*, order_id: int) -> Order:
    """Recompute the order's parcels from their events and move the order (see module)."""
    order = lock_orders([order_id])[order_id]
    parcel_ids = list(Parcel.objects.filter(order_id=order_id).values_list("pk", flat=True))
    if order.status == Order.Status.PACKED and any(
        e.status not in NOT_SCANNED for evs in _events_of(parcel_ids).values() for e in evs
    ):
        _ship(order)  # the stock rows (slot 9) before the parcels
    locked = lock_parcels(parcel_ids)
    # read again under the parcels' locks: an event stored meanwhile by another delivery's
    # fast path (``_move_time_on``, which waits for these locks) is then seen here
    events = _events_of(parcel_ids)
    now = timezone.now()
    for pk, parcel in locked.items():
        latest = _latest(events[pk])
        if latest is None:
            continue
        if latest.status != parcel.status and latest.status in SHOPPER_EMAILS:
            # in this transaction: the email goes (once per parcel and kind) if this commits
            enqueue_order_email(order, SHOPPER_EMAILS[latest.status], reference=str(pk))
        first_scan = min(
            (e.occurred_at for e in events[pk] if e.status not in NOT_SCANNED), default=None
        )
        delivered = min(
            (e.occurred_at for e in events[pk] if e.status == Status.DELIVERED), default=None
        )
        parcel.status = latest.status
        parcel.status_at = latest.occurred_at
        parcel.shipped_at = first_scan
        parcel.delivered_at = delivered
        parcel.last_event_received_at = now
        parcel.save(
            update_fields=[
                "status",
                "status_at",
                "shipped_at",
                "delivered_at",
                "last_event_received_at",
            ]
        )
    if (
        locked
        and order.status == Order.Status.SHIPPED
        # a parcel sent again (replaced_by) is waited for no more: its replacement is
        and all(p.delivered_at is not None for p in locked.values() if p.replaced_by_id is None)
    ):
        # (Distribution's commission stays frozen until the order completes: returns'
        # ``orders_complete_due``, once the merchant's return window is over.)
        ORDER_FLOW.apply(order, "deliver", by=None, event_model=OrderEvent)
    return order


def _ship(order: Order) -> None:
    """The first scan: the order is shipped and its held units leave the warehouse."""
    allocations = list(
        Allocation.objects.filter(
            line__order=order,
            status__in=[Allocation.Status.RESERVED, Allocation.Status.ALLOCATED],
        ).order_by("pk")
    )
    if allocations:
        stock_ship(
            lines=[StockLine(stock_id=a.stock_id, quantity=a.quantity) for a in allocations],
            note=order.number,
        )
        Allocation.objects.filter(pk__in=[a.pk for a in allocations]).update(
            status=Allocation.Status.SHIPPED, updated_at=timezone.now()
        )
    ORDER_FLOW.apply(order, "ship", by=None, event_model=OrderEvent)


def tracking_poll_feed(*, feed: CarrierFeed, now=None) -> RecordResult:
    """Ask a polled carrier for its open parcels' events (HTTP outside any transaction) and
    record them like pushed ones."""
    adapter = adapter_for(feed)
    waybills = list(
        Parcel.objects.filter(carrier_id=feed.carrier_id)
        .exclude(status__in=FINAL)
        .values_list("waybill_number", flat=True)
    )
    total = RecordResult()
    for start in range(0, len(waybills), adapter.batch_size):
        events = adapter.fetch(feed=feed, waybills=waybills[start : start + adapter.batch_size])
        part = tracking_events_record(carrier=feed.carrier, events=events, source="poll")
        for name, value in part.as_dict().items():
            setattr(total, name, getattr(total, name) + value)
    CarrierFeed.objects.filter(pk=feed.pk).update(last_polled_at=now or timezone.now())
    return total
