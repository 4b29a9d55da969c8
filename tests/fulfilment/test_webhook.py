"""The carriers' webhook: signatures, de-duplication, late and out-of-order events, and the
order following its parcels through ORDER_FLOW."""

from __future__ import annotations

import pytest
from django.db import connection

from catalog.models import Stock
from logistics.fulfilment.models import CarrierFeed, TrackingEvent
from logistics.fulfilment.services import ParcelSpec, shipment_create
from orders.models import Allocation, Order

from .helpers import SECRET, at, event, paid_order, push, simex

pytestmark = pytest.mark.django_db


@pytest.fixture
def packed(db):
    c = simex("simex")
    order = paid_order(carrier_obj=c, quantities=(2, 1))
    shipment = shipment_create(order=order, by=None)
    order.refresh_from_db()
    return order, shipment.parcels.get()


def test_a_signed_push_is_stored_with_its_raw_payload_and_ships_the_order(client, packed):
    order, parcel = packed
    stock_before = {s.pk: (s.on_hand, s.reserved) for s in Stock.objects.all()}
    wire = event(parcel.waybill_number, "in_transit", 1, text="Picked up by courier")
    answer = push(client, "simex", [wire])
    assert answer.status_code == 200
    assert answer.json() == {
        "accepted": 1,
        "duplicates": 0,
        "unknown_waybills": 0,
        "unmapped": 0,
        "invalid": 0,
    }
    (stored,) = TrackingEvent.objects.all()
    assert stored.payload == wire
    assert stored.status == "in_transit" and stored.source == "webhook"
    parcel.refresh_from_db()
    order.refresh_from_db()
    assert parcel.status == "in_transit"
    assert parcel.shipped_at.isoformat() == at(1)
    assert order.status == Order.Status.SHIPPED
    assert list(order.events.values_list("transition", flat=True)) == ["accept", "pack", "ship"]
    # The held units left the warehouse: on hand and reserved both went down.
    for stock in Stock.objects.all():
        on_hand, reserved = stock_before[stock.pk]
        held = sum(a.quantity for a in Allocation.objects.filter(stock=stock))
        assert (stock.on_hand, stock.reserved) == (on_hand - held, reserved - held)
    assert set(Allocation.objects.values_list("status", flat=True)) == {"shipped"}


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=" + "0" * 64, "sha256=deadbeef", "not-even-a-signature"],
)
def test_a_bad_signature_is_a_401_and_nothing_is_stored(client, packed, signature):
    order, parcel = packed
    answer = push(
        client, "simex", [event(parcel.waybill_number, "delivered", 1)], signature=signature
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "bad_signature"
    assert not TrackingEvent.objects.exists()
    order.refresh_from_db()
    assert order.status == Order.Status.PACKED


def test_a_push_signed_with_another_carriers_secret_is_refused(client, packed):
    simex("other", secret="the-other-secret")
    _, parcel = packed
    answer = push(
        client, "simex", [event(parcel.waybill_number, "in_transit", 1)], secret="the-other-secret"
    )
    assert answer.status_code == 401
    assert not TrackingEvent.objects.exists()


def test_an_unknown_or_polled_carrier_has_no_webhook(client, packed):
    assert push(client, "nobody", []).status_code == 404
    CarrierFeed.objects.update(delivery=CarrierFeed.Delivery.POLL)
    assert push(client, "simex", []).status_code == 404


def test_the_secret_is_stored_encrypted(packed):
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_secret FROM fulfilment_carrierfeed")
        (raw,) = cursor.fetchone()
    assert SECRET not in raw
    assert CarrierFeed.objects.get().webhook_secret == SECRET


def test_the_same_event_twice_is_stored_once(client, packed):
    _, parcel = packed
    wire = event(parcel.waybill_number, "in_transit", 1)
    push(client, "simex", [wire, dict(wire)])
    again = push(client, "simex", [wire])
    assert again.json()["duplicates"] == 1 and again.json()["accepted"] == 0
    assert TrackingEvent.objects.count() == 1
    # Same status and place at another time is another event.
    push(client, "simex", [event(parcel.waybill_number, "in_transit", 2)])
    assert TrackingEvent.objects.count() == 2


def test_late_and_out_of_order_events_never_move_a_parcel_back(client, packed):
    order, parcel = packed
    w = parcel.waybill_number
    push(client, "simex", [event(w, "delivered", 50, "Shanghai")])
    push(client, "simex", [event(w, "customs", 30, "Shanghai PVG"), event(w, "in_transit", 2)])
    push(client, "simex", [event(w, "out_for_delivery", 45, "Shanghai")])
    parcel.refresh_from_db()
    order.refresh_from_db()
    assert parcel.status == "delivered"
    assert parcel.status_at.isoformat() == at(50)
    assert parcel.shipped_at.isoformat() == at(2)  # the earliest scan, however late it came
    assert order.status == Order.Status.DELIVERED
    assert list(order.events.values_list("transition", flat=True)) == [
        "accept",
        "pack",
        "ship",
        "deliver",
    ]
    assert TrackingEvent.objects.count() == 4


def test_labels_and_data_do_not_ship_the_order(client, packed):
    order, parcel = packed
    push(client, "simex", [event(parcel.waybill_number, "info_received", 1)])
    order.refresh_from_db()
    parcel.refresh_from_db()
    assert order.status == Order.Status.PACKED
    assert parcel.status == "info_received" and parcel.shipped_at is None


def test_the_order_is_delivered_when_every_parcel_is(client):
    c = simex("simex")
    order = paid_order(carrier_obj=c, quantities=(1, 1))
    a, b = order.lines.all()
    shipment = shipment_create(
        order=order,
        by=None,
        parcels=[ParcelSpec(lines={a.pk: 1}), ParcelSpec(lines={b.pk: 1}, waybill="new")],
    )
    first, second = shipment.parcels.order_by("pk")
    push(client, "simex", [event(first.waybill_number, "delivered", 5)])
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    push(client, "simex", [event(second.waybill_number, "delivered", 9)])
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED


def test_a_carriers_own_vocabulary_is_mapped_and_the_unknown_kept(client):
    c = simex("kd", vocabulary="kuaidi100")
    order = paid_order(carrier_obj=c)
    parcel = shipment_create(order=order, by=None).parcels.get()
    w = parcel.waybill_number
    answer = push(
        client,
        "kd",
        [
            event(w, "1", 1),
            event(w, "10", 20, "Shanghai"),
            event(w, "99", 21),
            event("NOSUCH", "3", 22),
            {"waybill": w, "status": "3", "time": "2026-12-01T10:00"},
        ],
    )
    assert answer.json() == {
        "accepted": 3,
        "duplicates": 0,
        "unknown_waybills": 1,
        "unmapped": 1,
        "invalid": 1,
    }
    parcel.refresh_from_db()
    assert parcel.status == "customs"  # the unmapped event at hour 21 does not move it
    assert TrackingEvent.objects.get(raw_status="99").status == ""


def test_a_body_that_is_not_events_is_refused(client, packed):
    from logistics.fulfilment.services.tracking import signature_of

    for body in (b"not json", b'{"events": 3}'):
        answer = client.post(
            "/tracking/webhooks/simex/",
            data=body,
            content_type="application/json",
            HTTP_X_SILKWAY_SIGNATURE=signature_of(SECRET, body),
        )
        assert answer.status_code == 400


def test_a_travelling_parcels_next_scan_moves_only_its_time_in_few_statements(
    client, packed, django_assert_max_num_queries
):
    """Most pushes repeat a shipped parcel's status at a later time: they store the event and
    move the parcel's time on (one statement), without recomputing the order; an older scan
    of the same status never moves the time back, and a new status still does all the rest."""
    order, parcel = packed
    w = parcel.waybill_number
    push(client, "simex", [event(w, "in_transit", 1, "Auckland")])  # ships the order
    # one statement: the parcel read, the insert (de-duplicated by the unique key, ON
    # CONFLICT DO NOTHING RETURNING) and the parcel's time; no transaction to commit, and
    # the feed is the one the first push read (kept in process memory)
    with django_assert_max_num_queries(1):
        push(client, "simex", [event(w, "in_transit", 5, "Sydney hub")])
    parcel.refresh_from_db()
    assert (parcel.status, parcel.status_at.isoformat()) == ("in_transit", at(5))
    push(client, "simex", [event(w, "in_transit", 3, "Auckland hub")])  # late, same status
    parcel.refresh_from_db()
    assert parcel.status_at.isoformat() == at(5) and parcel.shipped_at.isoformat() == at(1)
    push(client, "simex", [event(w, "customs", 9, "Shanghai PVG")])
    parcel.refresh_from_db()
    assert (parcel.status, parcel.status_at.isoformat()) == ("customs", at(9))
    assert TrackingEvent.objects.filter(parcel=parcel).count() == 4


def test_a_rotated_secret_is_used_at_once_though_the_secret_is_kept_decrypted(client, packed):
    """The decrypted secret is kept per feed in process memory; rotating it (a new stored
    token) replaces it: the old secret is refused from the next push on."""
    from logistics.fulfilment.services.feeds import carrier_feed_save

    _, parcel = packed
    w = parcel.waybill_number
    assert push(client, "simex", [event(w, "in_transit", 1)]).status_code == 200
    feed = CarrierFeed.objects.get(carrier__code="simex")
    carrier_feed_save(feed=feed, secret="the-rotated-secret", by=None)
    answer = push(client, "simex", [event(w, "in_transit", 2)])  # the old secret
    assert answer.status_code == 401
    assert (
        push(client, "simex", [event(w, "in_transit", 3)], secret="the-rotated-secret").json()[
            "accepted"
        ]
        == 1
    )
    assert TrackingEvent.objects.filter(parcel=parcel).count() == 2


def test_a_push_of_several_parcels_stores_each_new_event_once(client):
    """Several time-only parcels in one push move in one transaction; the answer counts
    what the unique key took, duplicates in the same push included."""
    c = simex("simex")
    parcels = []
    for _ in range(2):
        order = paid_order(carrier_obj=c, quantities=(1,))
        parcels.append(shipment_create(order=order, by=None).parcels.get())
    for p in parcels:
        push(client, "simex", [event(p.waybill_number, "in_transit", 1)])
    wire = [event(p.waybill_number, "in_transit", 4, "Hub") for p in parcels]
    answer = push(
        client, "simex", [*wire, wire[0], event(parcels[0].waybill_number, "in_transit", 1)]
    )
    assert answer.json()["accepted"] == 2 and answer.json()["duplicates"] == 2
    for p in parcels:
        p.refresh_from_db()
        assert p.status == "in_transit" and p.status_at.isoformat() == at(4)
    assert TrackingEvent.objects.count() == 4


def test_a_push_moving_one_parcels_time_and_another_parcels_status_keeps_them_apart(client):
    """One time-only parcel moves in the insert's own statement: to its own latest event,
    not to another parcel's in the same push (that one is recomputed with its order)."""
    c = simex("simex")
    a, b = (
        shipment_create(order=paid_order(carrier_obj=c, quantities=(1,)), by=None).parcels.get()
        for _ in range(2)
    )
    for p in (a, b):
        push(client, "simex", [event(p.waybill_number, "in_transit", 1)])
    answer = push(
        client,
        "simex",
        [event(a.waybill_number, "in_transit", 4, "Hub"), event(b.waybill_number, "customs", 9)],
    )
    assert answer.json()["accepted"] == 2
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.status_at.isoformat()) == ("in_transit", at(4))
    assert (b.status, b.status_at.isoformat()) == ("customs", at(9))


def test_a_kept_feed_reads_its_secret_again_when_a_push_does_not_match_it(client, packed):
    """Another server process rotated the secret (this one's kept feed is not told): the
    first push signed with the new secret reads the feed again and is taken; from then on
    the old secret is refused here too."""
    _, parcel = packed
    w = parcel.waybill_number
    assert push(client, "simex", [event(w, "in_transit", 1)]).status_code == 200
    feed = CarrierFeed.objects.get(carrier__code="simex")
    feed.webhook_secret = "rotated-in-another-process"
    feed.save()  # the model's save, not carrier_feed_save: nothing forgets the kept feed
    assert push(client, "simex", [event(w, "in_transit", 2)]).status_code == 200  # still kept
    rotated = push(client, "simex", [event(w, "in_transit", 3)], secret=feed.webhook_secret)
    assert rotated.status_code == 200 and rotated.json()["accepted"] == 1
    assert push(client, "simex", [event(w, "in_transit", 4)]).status_code == 401
    assert TrackingEvent.objects.filter(parcel=parcel).count() == 3


def test_a_disabled_feed_stops_answering_within_the_feeds_ttl(client, packed, monkeypatch):
    from logistics.fulfilment.selectors import FEED_TTL
    from marketplace import localcache

    now = [1000.0]
    monkeypatch.setattr(localcache.time, "monotonic", lambda: now[0])
    _, parcel = packed
    w = parcel.waybill_number
    assert push(client, "simex", [event(w, "in_transit", 1)]).status_code == 200
    CarrierFeed.objects.update(is_active=False)  # as another process would
    now[0] += FEED_TTL - 1
    assert push(client, "simex", [event(w, "in_transit", 2)]).status_code == 200
    now[0] += 2
    assert push(client, "simex", [event(w, "in_transit", 3)]).status_code == 404
    # a bad signature always reads the feed: refused as unknown, not as a bad signature
    CarrierFeed.objects.update(is_active=True)
    push(client, "simex", [event(w, "in_transit", 4)])  # kept again
    CarrierFeed.objects.update(is_active=False)
    assert push(client, "simex", [], signature="sha256=" + "0" * 64).status_code == 404
    assert TrackingEvent.objects.filter(parcel=parcel).count() == 3


def test_a_push_of_one_parcel_counts_its_unknown_unmapped_and_repeated_events(client):
    """One parcel's events are stored by one statement: an unknown waybill stores nothing,
    an unmapped status is stored and moves nothing, a repeat in the same push is counted."""
    c = simex("kd", vocabulary="kuaidi100")
    parcel = shipment_create(order=paid_order(carrier_obj=c), by=None).parcels.get()
    w = parcel.waybill_number
    unknown = push(client, "kd", [event("NOSUCH", "3", 1), event("NOSUCH", "3", 1)])
    assert unknown.json()["unknown_waybills"] == 2 and not TrackingEvent.objects.exists()
    answer = push(client, "kd", [event(w, "99", 2), event(w, "99", 2), event(w, "1", 3)])
    assert answer.json() == {
        "accepted": 2,
        "duplicates": 1,
        "unknown_waybills": 0,
        "unmapped": 2,
        "invalid": 0,
    }
    parcel.refresh_from_db()
    assert parcel.status == "in_transit" and parcel.status_at.isoformat() == at(3)
