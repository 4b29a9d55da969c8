"""CEB513 (signed for): sent through the outbox when the order's last parcel is delivered,
XSD-valid, accepted by the real gateway simulator (CEB514), once per order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from customs.ceb import messages, schema
from customs.ceb import types as t
from customs.declarations import services
from customs.declarations.delivery import delivery_declare
from customs.declarations.models import Declaration, OrderDeclaration
from logistics.fulfilment.models import Parcel
from logistics.fulfilment.services import shipment_create, tracking_events_record
from marketplace.models import OutboxMessage
from orders.models import Order
from tests.customs.docking.conftest import wait_for

from .helpers import paid_order, profile

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)


def _until(p, predicate, timeout=30.0):
    def step():
        services.receipts_fetch(profile=p, timeout=0.2)
        return predicate()

    return wait_for(step, timeout=timeout, interval=0.05)


def _status(order):
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)


def _deliver(order):
    """Pack (one parcel on the declared waybill), then the carrier's scans: picked up, delivered."""
    shipment_create(order=order, by=None)
    parcel = Parcel.objects.get(order=order)
    carrier = parcel.carrier
    for status, hour in (("in_transit", 1), ("delivered", 90)):
        tracking_events_record(
            carrier=carrier,
            events=[
                {
                    "waybill": parcel.waybill_number,
                    "status": status,
                    "time": (T0 + timedelta(hours=hour)).isoformat(),
                    "location": "北京",
                    "text": status,
                }
            ],
            source="webhook",
        )
    return parcel


def test_a_delivered_order_is_declared_signed_for_and_customs_takes_it(simulator):
    p = profile(gateway_url=simulator.url)
    order, facts = paid_order()
    with transaction.atomic():
        services.declarations_open(order, payment=facts)
    _until(p, lambda: _status(order) == Order.Status.DECLARED)
    file = OrderDeclaration.objects.get(order=order)
    assert not file.documents.filter(kind="delivery").exists()

    _deliver(order)  # 9610: ships from abroad once declared, clears on arrival
    assert _status(order) == Order.Status.DELIVERED

    _until(p, lambda: file.documents.filter(kind="delivery", state="done").exists())
    row = file.documents.get(kind="delivery")
    assert row.return_status == "120"
    doc = messages.parse(bytes(row.document)).documents[0]
    assert isinstance(doc, t.DeliveryDoc)
    # the waybill customs knows (the CEB511's)
    assert doc.logistics_no == file.logistics_no and doc.logistics_status == "S"
    # and the parcel was labelled with it: packing used the number declared at payment
    assert order.parcels.get().waybill_number == file.logistics_no
    assert doc.logistics_time == order.events.get(transition="deliver").created_at.replace(
        microsecond=0
    )
    # signed and XSD-validated on the one send path; the simulator holds it once
    sent = row.message
    assert sent.message_type == "CEB513Message"
    schema.validate(schema.parse_xml(bytes(sent.message)))
    assert [d for d in simulator.state()["documents"] if d["kind"] == "delivery"]
    # once: a second delivery of the outbox message changes nothing
    assert delivery_declare(order_id=order.pk, delivered_at=datetime.now(UTC)).pk == row.pk
    assert Declaration.objects.filter(file=file, kind="delivery").count() == 1
    assert OutboxMessage.objects.filter(key=f"signed-for:{order.pk}").count() == 1


def test_an_order_nobody_declared_sends_no_ceb513():
    order, _facts = paid_order()
    assert delivery_declare(order_id=order.pk, delivered_at=datetime.now(UTC)) is None
    assert not Declaration.objects.filter(kind="delivery").exists()
