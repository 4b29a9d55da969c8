"""The carrier simulator run for real: bookings, journeys with a customs stop, signed webhooks
into the platform, and its faults (duplicates, out of order, bad signatures, pauses)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from logistics.fulfilment.models import CarrierFeed, Parcel, TrackingEvent
from logistics.fulfilment.services import shipment_create
from logistics.fulfilment.tasks import tracking_poll_due
from orders.models import Order

from .helpers import paid_order, simex
from .simulator import ROOT, start_carrier, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

# Direct mail into China takes 12–16 days: at this speed about 5 seconds.
FAST = ("--speed", "250000")
SECRET = "sim-secret"


@pytest.fixture
def carrier_sim(tmp_path, live_server):
    started = []

    def start(*args):
        sim = start_carrier(
            tmp_path / f"carrier{len(started)}", platform_url=live_server.url, args=args
        )
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


def packed_order(sim, code="simex", **feed):
    c = simex(code, secret=SECRET, booking_url=sim.url + "/shipments", **feed)
    order = paid_order(carrier_obj=c)
    shipment_create(order=order, by=None)
    return order, Parcel.objects.get(order=order)


def status_of(order):
    order.refresh_from_db()
    return order.status


def test_a_parcel_travels_from_label_to_delivered_with_a_customs_stop(carrier_sim):
    sim = carrier_sim("--carrier", f"simex={SECRET}", *FAST)
    order, parcel = packed_order(sim)
    booked = sim.get(f"/_parcels/{parcel.waybill_number}")
    assert booked["route"] == "direct_china"  # the order goes to Shanghai from Auckland
    wait_for(lambda: status_of(order) == Order.Status.DELIVERED)
    statuses = list(
        TrackingEvent.objects.filter(parcel=parcel)
        .order_by("occurred_at")
        .values_list("status", flat=True)
    )
    assert statuses == [
        "info_received",
        "in_transit",
        "in_transit",
        "in_transit",
        "customs",
        "customs_released",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    assert list(order.events.values_list("transition", flat=True)) == [
        "accept",
        "pack",
        "ship",
        "deliver",
    ]
    parcel.refresh_from_db()
    assert parcel.booked_at is not None and parcel.status == "delivered"


def test_duplicates_reordering_and_bad_signatures_leave_one_clean_timeline(carrier_sim):
    sim = carrier_sim(
        "--carrier",
        f"simex={SECRET}",
        *FAST,
        "--duplicate-rate",
        "1",
        "--reorder-rate",
        "0.5",
        "--reorder-seconds",
        "1",
        "--bad-signature-rate",
        "0.5",
    )
    order, parcel = packed_order(sim)
    wait_for(
        lambda: (
            sim.get("/_state")["events_planned"] == 0 and sim.get("/_state")["pushes_waiting"] == 0
        )
    )
    state = sim.get("/_state")
    assert state["pushes_delivered"] == 2 * state["events_emitted"]  # every push sent twice
    assert state["pushes_refused"] > 0  # some first tries were signed wrongly: 401
    assert TrackingEvent.objects.filter(parcel=parcel).count() == state["events_emitted"] == 9
    parcel.refresh_from_db()
    assert parcel.status == "delivered"
    assert status_of(order) == Order.Status.DELIVERED


def test_a_paused_carrier_sends_nothing_until_it_resumes(carrier_sim):
    sim = carrier_sim("--carrier", f"simex={SECRET}", *FAST)
    sim.post("/_pause")
    order, parcel = packed_order(sim)
    import time

    time.sleep(2)
    assert not TrackingEvent.objects.exists()
    sim.post("/_resume")
    wait_for(lambda: status_of(order) == Order.Status.DELIVERED)


def test_a_stuck_parcel_stops_moving(carrier_sim):
    sim = carrier_sim("--carrier", f"simex={SECRET}", "--speed", "50000")
    order, parcel = packed_order(sim)
    wait_for(lambda: TrackingEvent.objects.filter(parcel=parcel, status="in_transit").exists())
    sim.post(f"/_parcels/{parcel.waybill_number}/stick")
    seen = TrackingEvent.objects.count()
    import time

    time.sleep(3)
    assert TrackingEvent.objects.count() <= seen + 1  # at most one already on its way
    assert status_of(order) == Order.Status.SHIPPED


def test_a_carrier_that_does_not_push_is_polled(carrier_sim):
    sim = carrier_sim("--carrier", "slowpost=", "--poll", "slowpost", *FAST)
    order, parcel = packed_order(
        sim, "slowpost", delivery=CarrierFeed.Delivery.POLL, poll_url=sim.url + "/track"
    )
    wait_for(lambda: sim.get("/_state")["events_planned"] == 0)
    assert not TrackingEvent.objects.exists()  # nothing was pushed
    assert tracking_poll_due() == 1
    assert status_of(order) == Order.Status.DELIVERED
    assert TrackingEvent.objects.filter(parcel=parcel, source="poll").count() == 9


def test_only_the_command_imports_the_simulator():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "tests") or rel.parts[:3] == (
            "logistics",
            "fulfilment",
            "simulator",
        ):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        } | {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        if any(n.startswith("logistics.fulfilment.simulator") for n in names):
            assert rel == Path("logistics/fulfilment/management/commands/carrier_simulator.py")
