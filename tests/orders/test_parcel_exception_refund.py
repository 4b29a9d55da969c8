"""A lost parcel refunded from the exceptions queue (logistics/fulfilment/services/stuck.py)
goes through the orders' own refund service, against localstripe: the money goes back, the
order is refunded, the exception closes as refunded. (Here because the paid-checkout
fixtures live in tests/orders.)"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from logistics.fulfilment.models import ParcelException
from logistics.fulfilment.services import shipment_create, tracking_events_record
from logistics.fulfilment.services.stuck import stuck_detect
from orders.models import Order
from payments.models import Refund
from tests.orders.checkout_helpers import place, shopper_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost(world, localstripe, pay, django_capture_on_commit_callbacks):
    user, cart = shopper_with((world.balm, 1))
    checkout = place(user, cart)
    pay(checkout)
    balm = checkout.orders.get()
    parcel = shipment_create(order=balm, by=None).parcels.get()
    tracking_events_record(
        carrier=parcel.carrier,
        events=[
            {
                "waybill": parcel.waybill_number,
                "status": "exception",
                "time": timezone.now().isoformat(),
                "text": "Parcel lost in transit",
            }
        ],
        source="webhook",
    )
    assert stuck_detect() == 1
    return balm, ParcelException.objects.get()


def test_an_operator_refunds_a_lost_parcel_from_the_queue(
    lost, client_for, operator, django_capture_on_commit_callbacks
):
    balm, exc = lost
    balm.refresh_from_db()
    assert balm.status == Order.Status.SHIPPED and exc.reason == "carrier_exception"
    ops = client_for(operator)
    with django_capture_on_commit_callbacks(execute=True):
        ops.post(
            reverse("admin:fulfilment_parcelexception_change", args=[exc.pk]),
            {"action": "refund", "note": "Lost in transit: refunded"},
        )
    balm.refresh_from_db()
    exc.refresh_from_db()
    assert balm.status == Order.Status.REFUNDED and balm.refunded_total == balm.total
    assert Refund.objects.get(reference=f"{balm.number}:rest").amount == balm.total
    assert exc.status == "refunded" and exc.closed_at is not None
    assert exc.events.get().reason == "Lost in transit: refunded"
