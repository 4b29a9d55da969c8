"""Stuck detection and the exceptions queue: by time (a parcel's last carrier event older
than its route's threshold, a promise passed, a carrier's "exception"), the operator's
thresholds per route and method, the actions (contact the carrier, reship, close) in the
back office, and the merchant's own exceptions in the portal and the seller API (another
merchant sees none)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from logistics.fulfilment.models import (
    Parcel,
    ParcelException,
    TrackingEvent,
    TransitThreshold,
)
from logistics.fulfilment.services import shipment_create
from logistics.fulfilment.services.stuck import exception_reship, stuck_detect
from logistics.fulfilment.tasks import stuck_detect_due
from orders.models import Order
from tests.fulfilment.helpers import T0, event, paid_order, push
from tests.fulfilment.test_simulator import carrier_sim  # noqa: F401, F811 - the fixture
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db

R = ParcelException.Reason


@pytest.fixture
def travelling(client, tenants):
    """A packed order of merchant A (direct mail into China: 144 h threshold) whose parcel
    was scanned at T0 + 1 h."""
    order = paid_order(merchant=tenants.a.merchant, quantities=(1,))
    order.shipping = {"min_days": 10, "max_days": 20}
    order.paid_at = T0
    order.save(update_fields=["shipping", "paid_at"])
    parcel = shipment_create(order=order, by=None).parcels.get()
    push(client, parcel.carrier.code, [event(parcel.waybill_number, "in_transit", 1)])
    parcel.refresh_from_db()
    return order, parcel


def test_a_parcel_quiet_for_longer_than_its_route_allows_is_queued_once(travelling):
    order, parcel = travelling
    assert parcel.route == "direct_china"
    assert stuck_detect(now=T0 + timedelta(hours=1 + 143)) == 0
    assert stuck_detect(now=T0 + timedelta(hours=1 + 145)) == 1
    assert stuck_detect(now=T0 + timedelta(hours=1 + 146)) == 0  # one open exception at most
    exc = ParcelException.objects.get()
    assert (exc.reason, exc.status, exc.order_id) == (R.QUIET, "open", order.pk)
    assert exc.merchant_id == order.merchant_id


def test_news_from_the_carrier_keeps_a_parcel_off_the_queue(travelling, client):
    _order, parcel = travelling
    push(client, parcel.carrier.code, [event(parcel.waybill_number, "customs", 100)])
    assert stuck_detect(now=T0 + timedelta(hours=1 + 145)) == 0


def test_an_operator_sets_a_route_threshold_and_a_method_overrides_it(travelling):
    order, _parcel = travelling
    TransitThreshold.objects.create(route="direct_china", quiet_hours=24)
    assert stuck_detect(now=T0 + timedelta(hours=20)) == 0
    TransitThreshold.objects.create(shipping_method=order.shipping_method, quiet_hours=10)
    assert stuck_detect(now=T0 + timedelta(hours=12)) == 1


def test_a_parcel_past_the_promised_window_is_late(travelling, client):
    _order, parcel = travelling
    push(client, parcel.carrier.code, [event(parcel.waybill_number, "customs", 21 * 24)])
    assert stuck_detect(now=T0 + timedelta(days=21, hours=2)) == 1
    assert ParcelException.objects.get().reason == R.LATE


def test_a_carriers_exception_is_queued_at_once(travelling, client):
    _order, parcel = travelling
    push(client, parcel.carrier.code, [event(parcel.waybill_number, "exception", 2)])
    assert stuck_detect_due() == 1  # the beat task, at the real time
    assert ParcelException.objects.get().reason == R.CARRIER


def test_delivered_parcels_are_never_stuck(travelling, client):
    _order, parcel = travelling
    push(client, parcel.carrier.code, [event(parcel.waybill_number, "delivered", 3)])
    assert stuck_detect(now=T0 + timedelta(days=60)) == 0


def test_operators_contact_the_carrier_and_reship_from_the_back_office(
    travelling, client, client_for, operator
):
    order, parcel = travelling
    stuck_detect(now=T0 + timedelta(days=7))
    exc = ParcelException.objects.get()
    ops = client_for(operator)
    queue = ops.get(reverse("admin:fulfilment_parcelexception_changelist"))
    assert parcel.waybill_number in queue.content.decode()
    filtered = ops.get(
        reverse("admin:fulfilment_parcel_changelist"),
        {"status": "in_transit", "route": "direct_china"},
    )
    assert parcel.waybill_number in filtered.content.decode()
    url = reverse("admin:fulfilment_parcelexception_change", args=[exc.pk])
    ops.post(url, {"action": "contact", "note": "Asked the carrier for a trace"})
    assert exc.events.get().reason == "Asked the carrier for a trace"
    ops.post(url, {"action": "reship", "note": "Lost: sent again"})
    exc.refresh_from_db()
    parcel.refresh_from_db()
    assert exc.status == "reshipped" and exc.replacement is not None
    new = exc.replacement
    assert parcel.replaced_by == new and new.waybill_number != parcel.waybill_number
    assert list(new.lines.values_list("line_id", "quantity")) == list(
        parcel.lines.values_list("line_id", "quantity")
    )
    # the order is delivered when the new parcel is; the lost one is waited for no more
    push(client, new.carrier.code, [event(new.waybill_number, "delivered", 200)])
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED
    assert stuck_detect(now=T0 + timedelta(days=30)) == 0


def test_only_operators_work_the_queue(travelling, tenants):
    stuck_detect(now=T0 + timedelta(days=7))
    exc = ParcelException.objects.get()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        exception_reship(exception=exc, by=tenants.a.owner)
    assert Parcel.objects.count() == 1


def test_merchants_see_their_own_exceptions_in_the_portal_and_the_api(travelling, tenants):
    _order, parcel = travelling
    stuck_detect(now=T0 + timedelta(days=7))
    portal = "/en" + reverse("seller_shipments:exceptions")[3:]
    mine = tenants.a.client.get(portal).content.decode()
    assert parcel.waybill_number in mine
    assert parcel.waybill_number not in tenants.b.client.get(portal).content.decode()
    zh = tenants.a.client.get(portal.replace("/en/", "/zh-hans/")).content.decode()
    assert "承运商" in zh
    api = tenants.a.client.get("/api/v1/seller/parcel-exceptions/").json()["results"]
    assert [(e["waybill_number"], e["reason"]) for e in api] == [(parcel.waybill_number, "quiet")]
    assert tenants.b.client.get("/api/v1/seller/parcel-exceptions/").json()["results"] == []
    # and the shipment itself stays theirs alone
    assert_cross_tenant_404(
        f"/api/v1/seller/shipments/{parcel.shipment_id}/",
        owner=tenants.a.client,
        intruder=tenants.b.client,
    )
    assert TrackingEvent.objects.filter(parcel=parcel).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_parcel_the_carrier_simulator_sticks_lands_in_the_queue(carrier_sim):  # noqa: F811
    """The real carrier simulator, pushing signed webhooks: a parcel stuck after its first
    scans is queued once its route's threshold has passed since its last event."""
    import time

    from tests.fulfilment.simulator import wait_for
    from tests.fulfilment.test_simulator import SECRET, packed_order

    sim = carrier_sim("--carrier", f"simex={SECRET}", "--speed", "50000")
    _order, parcel = packed_order(sim)
    wait_for(lambda: TrackingEvent.objects.filter(parcel=parcel, status="in_transit").exists())
    sim.post(f"/_parcels/{parcel.waybill_number}/stick")
    time.sleep(2)
    parcel.refresh_from_db()
    last = parcel.status_at
    assert stuck_detect(now=last + timedelta(hours=2)) == 0
    assert stuck_detect(now=last + timedelta(hours=145)) == 1
    exc = ParcelException.objects.get(parcel=parcel)
    assert exc.reason == R.QUIET
