"""Consolidation of direct-mail parcels into master consignments: the grouping rules, the
lifecycle, the CEB711 arrival manifest (signed on the one send path's sealing, XSD-valid),
its CEB712 receipt, and the split for domestic delivery."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from customs.ceb import messages, schema
from customs.ceb import types as t
from customs.ceb.rules import CebRuleError
from customs.gateway.sealing import seal
from customs.profiles.demo import seed_customs_profiles_demo
from customs.profiles.services import route_for, signer_for, transfer_for
from logistics.fulfilment.models import ConsignmentParcel, MasterConsignment, Parcel
from logistics.fulfilment.services import shipment_create
from logistics.fulfilment.services.consolidation import (
    consignment_add_parcels,
    consignment_create,
    consignment_manifest,
    consignment_move,
    consignment_split,
)
from logistics.shipping.models import Carrier
from marketplace.clearance import ClearanceMode
from orders.models import Order
from tests.logistics.shipping_helpers import carrier

from .helpers import paid_order, staff_of

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


@pytest.fixture
def profile():
    return seed_customs_profiles_demo()  # port customs office 2923


def parcel(mode=ClearanceMode.DIRECT):
    status = Order.Status.CLEARED if mode == ClearanceMode.BONDED else Order.Status.PAID
    order = paid_order(mode=mode, quantities=(1,), status=status)
    shipment_create(order=order, by=staff_of(order.merchant))
    return Parcel.objects.get(order=order)


def consignment(port="2923", bill="999-12345675"):
    return consignment_create(
        bill_number=bill,
        carrier=Carrier.objects.filter(code="air-nz").first() or carrier("air-nz"),
        vehicle="NZ289",
        voyage="20261202",
        arrival_port=port,
        by=None,
    )


def test_parcels_for_the_same_port_are_grouped_and_the_manifest_lists_them(profile):
    c = consignment()
    a, b = parcel(), parcel()
    assert consignment_add_parcels(consignment=c, parcel_ids=[b.pk, a.pk], by=None) == 2
    manifest = consignment_manifest(c)
    assert [line.logistics_no for line in manifest.lines] == [a.waybill_number, b.waybill_number]
    assert [line.gnum for line in manifest.lines] == [1, 2]
    assert manifest.bill_no == "999-12345675" and manifest.customs_code == "2923"


def test_another_port_a_bonded_parcel_or_a_parcel_twice_is_refused_and_nothing_is_added(profile):
    here, there = consignment(), consignment(port="2244", bill="MAWB-2")
    p = parcel()
    with pytest.raises(ValidationError) as exc:
        consignment_add_parcels(consignment=there, parcel_ids=[p.pk], by=None)
    assert codes(exc.value) == {"port_mismatch"}
    bonded = parcel(mode=ClearanceMode.BONDED)
    with pytest.raises(ValidationError) as exc:
        consignment_add_parcels(consignment=here, parcel_ids=[p.pk, bonded.pk], by=None)
    assert codes(exc.value) == {"not_direct_mail"}
    assert not ConsignmentParcel.objects.exists()  # all or none
    consignment_add_parcels(consignment=here, parcel_ids=[p.pk], by=None)
    other = consignment(bill="MAWB-3")
    with pytest.raises(ValidationError) as exc:
        consignment_add_parcels(consignment=other, parcel_ids=[p.pk], by=None)
    assert codes(exc.value) == {"parcel_on_consignment"}


def test_a_closed_consignment_takes_no_parcel_and_an_empty_one_does_not_close(profile):
    c = consignment()
    with pytest.raises(ValidationError) as exc:
        consignment_move(consignment=c, name="close", by=None)
    assert codes(exc.value) == {"consignment_empty"}
    consignment_add_parcels(consignment=c, parcel_ids=[parcel().pk], by=None)
    consignment_move(consignment=c, name="close", by=None)
    with pytest.raises(ValidationError) as exc:
        consignment_add_parcels(consignment=c, parcel_ids=[parcel().pk], by=None)
    assert codes(exc.value) == {"consignment_not_open"}
    assert list(c.events.values_list("transition", flat=True)) == ["close"]


def test_the_manifest_is_signed_and_valid_against_the_official_xsd_and_its_receipt_parses(profile):
    c = consignment()
    consignment_add_parcels(consignment=c, parcel_ids=[parcel().pk, parcel().pk], by=None)
    doc = consignment_manifest(c)
    (sealed,) = seal(
        [doc],
        signer=signer_for(profile.signing_key),
        route=route_for(profile),
        transfer=transfer_for(profile),
    )  # builds, signs, validates the message and its envelope against the XSDs
    assert sealed.message_type == "CEB711Message"
    message = schema.parse_xml(sealed.message)
    schema.validate(message)
    parsed = messages.parse(sealed.message)
    assert parsed.signed and parsed.documents[0] == doc
    assert messages.RECEIPT_OF["711"] == "712"
    receipt = t.ManifestReceipt(
        guid=messages.new_guid(),
        customs_code="2923",
        cop_no=doc.cop_no,
        pre_no="A00000000000000001",
        rkd_no="R29232026000000001",
        return_status="120",
        return_time=doc.app_time,
        return_info="海关入库",
    )
    element = messages.build([receipt])
    schema.validate(element)
    (back,) = messages.parse(messages.to_bytes(element)).documents
    assert back == receipt
    assert messages.document_key(back) == messages.document_key(doc) == ("manifest", doc.cop_no)


def test_a_manifest_with_a_parcel_twice_breaks_the_rules():
    line = t.ManifestLine(gnum=1, logistics_no="SW1")
    doc = t.ManifestDoc(
        guid=messages.new_guid(),
        app_time=timezone.now(),
        customs_code="2923",
        cop_no="MC1",
        operator=t.Party("3122480063", "保税区仓储有限公司"),
        traf_mode="5",
        traf_no="NZ289",
        voyage_no="20261202",
        bill_no="999-1",
        logistics=t.Party("3122480063", "x"),
        lines=(line, t.ManifestLine(gnum=2, logistics_no="SW1")),
    )
    with pytest.raises(CebRuleError, match="twice"):
        messages.build(
            [doc], transfer=t.Transfer(cop_code="a", cop_name="b", dxp_id="DXPENT0000000001")
        )


def test_split_gives_each_parcel_its_domestic_leg(profile):
    c = consignment()
    consignment_add_parcels(consignment=c, parcel_ids=[parcel().pk, parcel().pk], by=None)
    consignment_move(consignment=c, name="close", by=None)
    consignment_move(consignment=c, name="arrive", by=None)
    sf = carrier("dom-sf")
    assert consignment_split(consignment=c, domestic_carrier=sf, by=None) == 2
    c.refresh_from_db()
    assert c.status == MasterConsignment.Status.SPLIT and c.split_at
    legs = list(c.members.values_list("domestic_carrier__code", "domestic_waybill"))
    assert [code for code, _ in legs] == ["dom-sf", "dom-sf"]
    assert len({w for _, w in legs}) == 2 and all(legs)


@pytest.mark.django_db(transaction=True)
def test_two_operators_adding_the_same_parcel_at_once_put_it_on_one_consignment():
    seed_customs_profiles_demo()
    p = parcel()
    first, second = consignment(bill="MAWB-A"), consignment(bill="MAWB-B")
    results = []

    def add(c):
        try:
            consignment_add_parcels(consignment=c, parcel_ids=[p.pk], by=None)
            results.append("ok")
        except ValidationError as exc:
            results.append(codes(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(c,)) for c in (first, second)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(map(str, results)) == sorted(["ok", str({"parcel_on_consignment"})])
    assert ConsignmentParcel.objects.filter(parcel=p).count() == 1


def test_back_office_lists_consignments_and_their_parcels(
    admin_client, profile, django_assert_max_num_queries
):
    c = consignment()
    p = parcel()
    consignment_add_parcels(consignment=c, parcel_ids=[p.pk], by=None)
    with django_assert_max_num_queries(12):
        listing = admin_client.get(reverse("admin:fulfilment_masterconsignment_changelist"))
    assert listing.status_code == 200 and c.bill_number in listing.content.decode()
    page = admin_client.get(reverse("admin:fulfilment_masterconsignment_change", args=[c.pk]))
    assert page.status_code == 200 and p.waybill_number in page.content.decode()
