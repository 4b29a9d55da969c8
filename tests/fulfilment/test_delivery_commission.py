"""Delivery confirms no distribution commission: the carrier's delivered scan moves the
order to delivered and its commission stays frozen until the order completes (the
merchant's return window, docs/MARKETING.md)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from logistics.fulfilment.services import shipment_create
from logistics.fulfilment.services.tracking import tracking_events_record
from marketing.distribution.ledger import accrue, commissions_confirm, reward_account
from marketing.distribution.models import Commission
from tests.factories import UserFactory

from .helpers import paid_order, simex

pytestmark = pytest.mark.django_db


def test_the_delivered_scan_leaves_the_commission_frozen():
    carrier = simex("simex")
    order = paid_order(carrier_obj=carrier)
    line = order.lines.first()
    accrue(
        [
            Commission(
                account=reward_account(UserFactory()), role="level1",
                checkout_number=order.checkout.number, order_id=order.pk,
                order_line_id=line.pk, merchant_id=order.merchant_id, base=Decimal("10"),
                rate=Decimal("5"), amount=Decimal("0.50"), currency=order.currency,
            )
        ]
    )  # fmt: skip
    parcel = shipment_create(order=order, by=None).parcels.get()
    when = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    tracking_events_record(
        carrier=carrier,
        events=[
            {"waybill": parcel.waybill_number, "status": "delivered", "time": when.isoformat()}
        ],
        source="webhook",
    )
    order.refresh_from_db()
    assert order.status == "delivered"
    assert Commission.objects.get().status == "frozen"
    # only completion confirms it
    assert commissions_confirm(order_id=order.pk) == 1
    assert Commission.objects.get().status == "confirmed"
