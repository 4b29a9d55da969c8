"""The arrival manifest (CEB711) of a closed consignment goes out on the declarations' one
send path (signed, XSD-valid) to the real gateway simulator; its CEB712 receipt (120, entered)
moves the consignment to arrived."""

from __future__ import annotations

import pytest

from customs.ceb import messages, schema
from customs.declarations import services
from customs.declarations.manifests import manifest_declare
from customs.declarations.models import Declaration
from logistics.fulfilment.models import MasterConsignment, Parcel
from logistics.fulfilment.services import shipment_create
from logistics.fulfilment.services.consolidation import (
    consignment_add_parcels,
    consignment_create,
    consignment_move,
)
from marketplace.models import OutboxMessage
from tests.customs.docking.conftest import wait_for
from tests.fulfilment.helpers import paid_order as direct_order
from tests.fulfilment.helpers import staff_of
from tests.logistics.shipping_helpers import carrier

from .helpers import profile

pytestmark = pytest.mark.django_db(transaction=True)


def _parcel():
    order = direct_order(quantities=(1,))
    shipment_create(order=order, by=staff_of(order.merchant))
    return Parcel.objects.get(order=order)


def test_a_closed_consignment_is_declared_entered_by_customs_and_arrives(simulator):
    p = profile(gateway_url=simulator.url)  # port customs office 2923
    parcels = [_parcel(), _parcel()]
    c = consignment_create(
        bill_number="999-12345675",
        carrier=carrier("air-nz"),
        vehicle="NZ289",
        voyage="20261202",
        arrival_port=p.port_code,
        by=None,
    )
    consignment_add_parcels(consignment=c, parcel_ids=[x.pk for x in parcels], by=None)
    consignment_move(consignment=c, name="close", by=None)  # the outbox sends after commit

    row = Declaration.objects.get(kind="manifest")
    assert row.file_id is None and row.profile_id == p.pk
    assert row.state == Declaration.State.SENT
    sent = row.message
    assert sent.message_type == "CEB711Message"
    schema.validate(schema.parse_xml(bytes(sent.message)))  # signed, as sent
    parsed = messages.parse(bytes(sent.message))
    assert parsed.signed
    assert [line.logistics_no for line in parsed.documents[0].lines] == [
        x.waybill_number for x in parcels
    ]

    def arrived():
        services.receipts_fetch(profile=p, timeout=0.2)
        return MasterConsignment.objects.get(pk=c.pk).status == MasterConsignment.Status.ARRIVED

    wait_for(arrived, timeout=30, interval=0.05)
    row.refresh_from_db()
    assert row.state == Declaration.State.DONE and row.return_status == "120"
    assert row.receipts.filter(message_type="CEB712Message").exists()
    event = c.events.get(transition="arrive")
    assert event.reason.startswith("customs entry")
    assert len(simulator.documents("manifest")) == 1
    # the same message delivered again stores nothing new
    again = OutboxMessage.objects.get(key=f"manifest:{c.pk}").payload["manifest"]
    assert manifest_declare(manifest=again).pk == row.pk


def test_a_dead_manifest_is_sent_again_from_the_back_office_service(simulator):
    from customs.declarations.services import declaration_resend

    profile(gateway_url=simulator.url)
    row = manifest_declare(manifest=_manifest_xml())
    Declaration.objects.filter(pk=row.pk).update(state=Declaration.State.DEAD)
    row.refresh_from_db()
    again = declaration_resend(declaration=row)
    assert again.state == Declaration.State.PENDING
    assert Declaration.objects.get(pk=row.pk).state == Declaration.State.SENT  # eager outbox


def _manifest_xml() -> str:
    from customs.profiles.services import profile_for, transfer_for
    from logistics.fulfilment.services.consolidation import consignment_manifest

    c = consignment_create(
        bill_number="999-00000001",
        carrier=carrier("air-nz2"),
        vehicle="NZ289",
        voyage="20261203",
        arrival_port="2923",
        by=None,
    )
    consignment_add_parcels(consignment=c, parcel_ids=[_parcel().pk], by=None)
    doc = consignment_manifest(c)
    return messages.to_bytes(
        messages.build([doc], transfer=transfer_for(profile_for(None)))
    ).decode()
