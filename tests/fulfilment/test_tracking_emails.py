"""The shopper is emailed, in the language they checked out in, when a parcel is held at
customs, out for delivery, delivered or in trouble: through the outbox and the
notifications queue (orders.notifications), once per parcel and kind whatever the carrier
resends."""

from __future__ import annotations

import pytest
from django.core import mail

from logistics.fulfilment.services import shipment_create
from orders.models import OrderEmail
from tests.fulfilment.helpers import event, paid_order, push

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel(db):
    order = paid_order(quantities=(1,))
    return shipment_create(order=order, by=None).parcels.get()


def test_customs_delivery_and_delivered_mail_the_shopper_in_chinese_once(
    client, parcel, django_capture_on_commit_callbacks
):
    code, waybill = parcel.carrier.code, parcel.waybill_number
    with django_capture_on_commit_callbacks(execute=True):
        push(client, code, [event(waybill, "in_transit", 1), event(waybill, "customs", 2)])
    with django_capture_on_commit_callbacks(execute=True):
        push(client, code, [event(waybill, "customs", 2)])  # resent: no second email
    assert len(mail.outbox) == 1
    assert "海关" in mail.outbox[0].subject and parcel.order.number in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        push(client, code, [event(waybill, "out_for_delivery", 5)])
    with django_capture_on_commit_callbacks(execute=True):
        push(client, code, [event(waybill, "delivered", 6)])
    kinds = list(OrderEmail.objects.filter(order=parcel.order).values_list("kind", "language"))
    assert kinds == [
        ("customs", "zh-hans"),
        ("delivering", "zh-hans"),
        ("delivered", "zh-hans"),
    ]
    assert len(mail.outbox) == 3 and "派送" in mail.outbox[1].subject


def test_a_shopper_who_bought_in_english_reads_english_and_hears_of_trouble(
    client, parcel, django_capture_on_commit_callbacks
):
    parcel.order.checkout.language = "en"
    parcel.order.checkout.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        push(client, parcel.carrier.code, [event(parcel.waybill_number, "exception", 3)])
    (sent,) = mail.outbox
    assert sent.subject.startswith("A problem with the delivery of order")
    assert sent.to == [parcel.order.checkout.email]


def test_a_late_event_that_does_not_move_the_parcel_mails_nothing(
    client, parcel, django_capture_on_commit_callbacks
):
    code, waybill = parcel.carrier.code, parcel.waybill_number
    with django_capture_on_commit_callbacks(execute=True):
        push(client, code, [event(waybill, "in_transit", 10)])
        push(client, code, [event(waybill, "customs", 5)])  # older than what we know
    assert mail.outbox == []
