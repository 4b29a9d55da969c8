"""Consolidation in the back office: operators put the parcels they chose in Fulfilment →
Parcels on an open master consignment (all or none, the services' refusals shown), and split
arrived consignments for domestic delivery, in English and Chinese; staff without the right
to change consignments get neither action."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from customs.profiles.demo import seed_customs_profiles_demo
from logistics.fulfilment.models import ConsignmentParcel, MasterConsignment
from logistics.fulfilment.services.consolidation import consignment_add_parcels, consignment_move
from marketplace.clearance import ClearanceMode
from tests.factories import UserFactory
from tests.logistics.shipping_helpers import carrier

from .test_consolidation import consignment, parcel

pytestmark = pytest.mark.django_db

PARCELS = "admin:fulfilment_parcel_changelist"
CONSIGNMENTS = "admin:fulfilment_masterconsignment_changelist"


@pytest.fixture(autouse=True)
def profile():
    return seed_customs_profiles_demo()  # port customs office 2923


def url(name: str, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name)


def act(client, name, action, pks, language="en", follow=False, **fields):
    data = {"action": action, "_selected_action": [str(pk) for pk in pks], **fields}
    return client.post(url(name, language), data, follow=follow)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_an_operator_puts_the_chosen_parcels_on_an_open_consignment(
    admin_client, django_assert_max_num_queries
):
    open_one = consignment()
    closed = consignment(bill="MAWB-CLOSED")
    consignment_add_parcels(consignment=closed, parcel_ids=[parcel().pk], by=None)
    consignment_move(consignment=closed, name="close", by=None)
    a, b = parcel(), parcel()

    with django_assert_max_num_queries(12):
        ask = act(admin_client, PARCELS, "add_to_consignment", [a.pk, b.pk])
    page = ask.content.decode()
    assert ask.status_code == 200
    assert a.waybill_number in page and b.waybill_number in page
    assert open_one.bill_number in page and "MAWB-CLOSED" not in page  # open ones only

    done = act(
        admin_client,
        PARCELS,
        "add_to_consignment",
        [a.pk, b.pk],
        follow=True,
        apply="1",
        consignment=open_one.pk,
    )
    assert done.status_code == 200
    assert messages_of(done) == [f"2 parcels put on {open_one}."]
    members = ConsignmentParcel.objects.filter(consignment=open_one)
    assert set(members.values_list("parcel_id", flat=True)) == {a.pk, b.pk}
    listing = admin_client.get(url(CONSIGNMENTS)).content.decode()
    assert open_one.bill_number in listing


def test_a_refused_parcel_puts_none_on_the_consignment_and_says_which_and_why(admin_client):
    target = consignment()
    good, bonded = parcel(), parcel(mode=ClearanceMode.BONDED)
    done = act(
        admin_client,
        PARCELS,
        "add_to_consignment",
        [good.pk, bonded.pk],
        follow=True,
        apply="1",
        consignment=target.pk,
    )
    assert messages_of(done) == [f"{bonded.waybill_number} is not direct mail (9610)."]
    assert not ConsignmentParcel.objects.exists()


def test_an_operator_splits_arrived_consignments_and_an_open_one_is_refused(admin_client):
    arrived = consignment()
    consignment_add_parcels(consignment=arrived, parcel_ids=[parcel().pk, parcel().pk], by=None)
    consignment_move(consignment=arrived, name="close", by=None)
    consignment_move(consignment=arrived, name="arrive", by=None)
    still_open = consignment(bill="MAWB-OPEN")
    sf = carrier("dom-sf")

    ask = act(admin_client, CONSIGNMENTS, "split_consignments", [arrived.pk])
    assert ask.status_code == 200 and f'<option value="{sf.pk}">' in ask.content.decode()
    done = act(
        admin_client,
        CONSIGNMENTS,
        "split_consignments",
        [arrived.pk, still_open.pk],
        follow=True,
        apply="1",
        domestic_carrier=sf.pk,
    )
    assert messages_of(done) == [
        f"{still_open}: not possible from its current status",
        f"{arrived} split: 2 domestic waybills.",
    ]
    arrived.refresh_from_db()
    still_open.refresh_from_db()
    assert arrived.status == MasterConsignment.Status.SPLIT
    assert still_open.status == MasterConsignment.Status.OPEN
    legs = list(arrived.members.values_list("domestic_carrier__code", "domestic_waybill"))
    assert [code for code, _ in legs] == ["dom-sf", "dom-sf"] and len({w for _, w in legs}) == 2


def test_the_consolidation_forms_speak_chinese(admin_client):
    target = consignment()
    p = parcel()
    listing = admin_client.get(url(PARCELS, "zh-hans")).content.decode()
    assert "放入总运单…" in listing
    ask = act(admin_client, PARCELS, "add_to_consignment", [p.pk], language="zh-hans")
    page = ask.content.decode()
    assert "将包裹放入总运单" in page and "只列出开放的总运单" in page
    done = act(
        admin_client,
        PARCELS,
        "add_to_consignment",
        [p.pk],
        language="zh-hans",
        follow=True,
        apply="1",
        consignment=target.pk,
    )
    assert messages_of(done) == [f"已将 1 个包裹放入 {target}。"]
    consignments = admin_client.get(url(CONSIGNMENTS, "zh-hans")).content.decode()
    assert "拆分为国内派送…" in consignments
    split = act(admin_client, CONSIGNMENTS, "split_consignments", [target.pk], language="zh-hans")
    assert "国内承运商" in split.content.decode()


def test_staff_who_may_not_change_consignments_get_neither_action(client):
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_parcel", "view_masterconsignment"],
        )
    )
    client.force_login(clerk)
    target = consignment()
    p = parcel()
    assert "add_to_consignment" not in client.get(url(PARCELS)).content.decode()
    assert "split_consignments" not in client.get(url(CONSIGNMENTS)).content.decode()
    act(client, PARCELS, "add_to_consignment", [p.pk], apply="1", consignment=target.pk)
    assert not ConsignmentParcel.objects.exists()
