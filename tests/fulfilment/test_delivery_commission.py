"""Delivery starts distribution's freeze: the carrier's delivered scan sets the order's
commission to be released when the return window after it ends (marketing's ledger)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from logistics.fulfilment.services import shipment_create
from logistics.fulfilment.services.tracking import tracking_events_record
from marketing.distribution.ledger import accrue, commissions_confirm, reward_account
from marketing.distribution.models import Commission
from tests.factories import UserFactory

from .helpers import paid_order, simex

pytestmark = pytest.mark.django_db


def test_the_delivered_scan_starts_the_return_window(settings):
    settings.DISTRIBUTION_RETURN_WINDOW_DAYS = 7
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
    commission = Commission.objects.get()
    assert commission.release_at == parse_datetime(when.isoformat()) + timedelta(days=7)
    assert commissions_confirm(now=commission.release_at - timedelta(seconds=1)) == 0
    assert commissions_confirm(now=commission.release_at) == 1
