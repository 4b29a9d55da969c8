"""The back office: declarations, documents, messages and receipts as raw and pretty XML;
resend, cancel (CEB623) and return (CEB625) against the real simulator."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from customs.declarations import services
from customs.declarations.models import Declaration, OrderDeclaration, Receipt, SentMessage
from marketplace.models import OutboxMessage
from orders.models import Order
from tests.customs.docking.conftest import wait_for

from .helpers import paid_order, profile


def _cleared(p):
    order, facts = paid_order()
    with transaction.atomic():
        file = services.declarations_open(order, payment=facts)

    def done():
        services.receipts_fetch(profile=p, timeout=0.2)
        return Order.objects.get(pk=order.pk).status == Order.Status.CLEARED

    wait_for(done, timeout=30)
    return order, OrderDeclaration.objects.get(pk=file.pk)


@pytest.mark.django_db(transaction=True)
def test_an_operator_reads_every_message_and_receipt_and_cancels_a_released_list(
    simulator, client_for, operator, django_assert_max_num_queries
):
    p = profile(gateway_url=simulator.url)
    order, file = _cleared(p)
    ops = client_for(operator)

    with django_assert_max_num_queries(20):
        page = ops.get(reverse("admin:declarations_orderdeclaration_change", args=[file.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert file.logistics_no in body and "Cancel the list at customs (CEB623)" in body

    inventory = file.documents.get(kind="inventory")
    with django_assert_max_num_queries(20):
        page = ops.get(reverse("admin:declarations_declaration_change", args=[inventory.pk]))
    body = page.content.decode()
    assert "&lt;ceb:copNo&gt;" in body and file.cop_no in body  # pretty and raw
    assert "CEB622Message" in body  # its receipts are listed

    message = SentMessage.objects.filter(message_type="CEB621Message").get()
    page = ops.get(reverse("admin:declarations_sentmessage_change", args=[message.pk]))
    assert "ds:SignatureValue" in page.content.decode()
    receipt = Receipt.objects.filter(message_type="CEB622Message").first()
    page = ops.get(reverse("admin:declarations_receipt_change", args=[receipt.pk]))
    assert "DxpMsg" in page.content.decode()
    for name in (
        "orderdeclaration",
        "declaration",
        "sentmessage",
        "receipt",
        "taxbillcheck",
        "realtimesession",
    ):
        with django_assert_max_num_queries(15):
            assert ops.get(reverse(f"admin:declarations_{name}_changelist")).status_code == 200

    act = reverse("admin:declarations_orderdeclaration_act", args=[file.pk])
    ops.post(act, {"action": "cancel", "reason": "包裹未发出 parcel never left"})

    def cancelled():
        services.receipts_fetch(profile=p, timeout=0.2)
        return OrderDeclaration.objects.get(pk=file.pk).status == OrderDeclaration.Status.CANCELLED

    wait_for(cancelled, timeout=30)
    cancel = file.documents.get(kind="cancel")
    assert (cancel.state, cancel.return_status) == (Declaration.State.DONE, "399")


@pytest.mark.django_db(transaction=True)
def test_a_return_is_declared_with_every_line_of_the_list(simulator):
    p = profile(gateway_url=simulator.url)
    _, file = _cleared(p)
    services.declaration_return(file=file, reason="七天无理由退货")

    def answered():
        services.receipts_fetch(profile=p, timeout=0.2)
        row = file.documents.get(kind="return")
        return row.state == Declaration.State.DONE and row

    row = wait_for(answered, timeout=30)
    assert (row.return_status, row.return_info) == ("399", "退货审结")
    assert b"<ceb:gnum>1</ceb:gnum>" in bytes(row.message.message)


@pytest.mark.django_db
def test_a_dead_document_is_sent_again_with_the_same_guid(client_for, operator):
    profile(gateway_url="http://127.0.0.1:1")
    order, facts = paid_order()
    file = services.declarations_open(order, payment=facts)
    row = file.documents.get(kind="order")
    row.state, row.attempts, row.last_error = Declaration.State.DEAD, 10, "TransportUnavailable"
    row.save()
    before = OutboxMessage.objects.filter(kind=services.SEND).count()

    client_for(operator).post(
        reverse("admin:declarations_declaration_changelist"),
        {"action": "resend", "_selected_action": [row.pk]},
    )

    row.refresh_from_db()
    assert row.state == Declaration.State.PENDING and row.last_error == ""
    assert OutboxMessage.objects.filter(kind=services.SEND).count() == before + 1
    assert file.documents.get(kind="order").guid == row.guid


@pytest.mark.django_db
def test_a_shopper_cannot_open_the_declaration_screens(client_for, user):
    assert client_for(user).get(reverse("admin:declarations_receipt_changelist")).status_code == 302
