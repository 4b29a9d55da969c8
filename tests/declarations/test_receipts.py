"""Receipts: stored raw, applied monotonically (late, repeated and overtaken ones change
nothing), moving the order through its lifecycle's named transitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from customs.ceb import types as t
from customs.ceb.messages import new_guid
from customs.declarations import services
from customs.declarations.models import Declaration, OrderDeclaration, Receipt
from customs.gateway.sealing import Route, seal_receipts
from marketplace.models import OutboxMessage
from orders.models import Order

from .helpers import paid_order, profile

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def opened():
    p = profile(gateway_url="http://127.0.0.1:1")
    order, facts = paid_order()
    file = services.declarations_open(order, payment=facts)
    # as the worker leaves them once sent
    file.documents.exclude(kind="inventory").update(state=Declaration.State.SENT)
    services.declaration_follow(file_id=file.pk)
    return p, order, file


def deliver(p, doc) -> Receipt:
    """A receipt envelope from customs to us, stored and applied as the worker does."""
    (sealed,) = seal_receipts(
        [doc], route=Route(sender_id="DXPEDCCEB0000002", receiver_id=p.dxp_id)
    )
    receipt = services.receipt_store(envelope=sealed.envelope)
    return services.receipt_apply(receipt_id=receipt.pk)


def order_receipt(p, order, status: str, minutes: int, info: str = "") -> t.OrderReceipt:
    return t.OrderReceipt(
        guid=new_guid(),
        ebp_code=p.platform.code,
        ebc_code=p.ecommerce.code,
        order_no=order.number,
        return_status=status,
        return_time=T0 + timedelta(minutes=minutes),
        return_info=info or status,
    )


def other_receipts(p, file, status: str) -> list:
    payment = file.documents.get(kind="payment")
    txn = payment.doc_key.split("/", 1)[1]
    return [
        t.PaymentReceipt(
            guid=new_guid(),
            pay_code=p.payment.code,
            pay_transaction_id=txn,
            return_status=status,
            return_time=T0,
            return_info=status,
        ),
        t.WaybillReceipt(
            guid=new_guid(),
            logistics_code=p.logistics.code,
            logistics_no=file.logistics_no,
            return_status=status,
            return_time=T0,
            return_info=status,
        ),
    ]


def inventory_receipt(file, status: str, minutes: int, info: str = "") -> t.InventoryReceipt:
    return t.InventoryReceipt(
        guid=new_guid(),
        cop_no=file.cop_no,
        pre_no="B20261201000000001",
        invt_no="29232026I000000001" if status in {"399", "800"} else None,
        return_status=status,
        return_time=T0 + timedelta(minutes=minutes),
        return_info=info or status,
    )


def test_sending_declares_the_order(opened):
    _, order, _ = opened
    order.refresh_from_db()
    assert order.status == Order.Status.DECLARED
    assert list(order.events.values_list("transition", flat=True)) == ["pay", "declare"]


def test_a_late_or_repeated_receipt_is_kept_and_changes_nothing(opened):
    p, order, file = opened
    first = deliver(p, order_receipt(p, order, "120", 2))
    late = deliver(p, order_receipt(p, order, "2", 1))
    again = deliver(p, order_receipt(p, order, "120", 2))

    row = file.documents.get(kind="order")
    assert (row.return_status, row.state) == ("120", Declaration.State.DONE)
    assert [first.outcome, late.outcome, again.outcome] == ["applied", "ignored", "ignored"]
    assert Receipt.objects.count() == 3
    assert all(b"CEB312Message" in bytes(r.message) for r in Receipt.objects.all())
    assert b"DxpMsg" in bytes(late.envelope)


def test_the_list_waits_for_the_other_three_then_is_matched_and_queued(opened):
    p, order, file = opened
    inventory = file.documents.get(kind="inventory")
    deliver(p, order_receipt(p, order, "2", 1))
    assert file.documents.get(kind="inventory").state == Declaration.State.HELD
    for doc in other_receipts(p, file, "2"):
        deliver(p, doc)
    assert file.documents.get(kind="inventory").state == Declaration.State.PENDING
    assert OutboxMessage.objects.filter(
        kind=services.SEND, payload__declaration_id=inventory.pk
    ).exists()


def test_release_clears_the_order_even_when_it_overtakes_earlier_statuses(opened):
    p, order, file = opened
    for doc in [order_receipt(p, order, "2", 1), *other_receipts(p, file, "2")]:
        deliver(p, doc)
    file.documents.filter(kind="inventory").update(state=Declaration.State.SENT)
    deliver(p, inventory_receipt(file, "800", 5))
    deliver(p, inventory_receipt(file, "399", 4))  # overtaken: ignored
    deliver(p, inventory_receipt(file, "120", 3))

    order.refresh_from_db()
    file.refresh_from_db()
    inventory = file.documents.get(kind="inventory")
    assert (inventory.return_status, inventory.state) == ("800", Declaration.State.DONE)
    assert file.status == OrderDeclaration.Status.CLEARED
    assert file.invt_no == "29232026I000000001"
    assert order.status == Order.Status.CLEARED
    assert list(order.events.values_list("transition", flat=True)) == ["pay", "declare", "clear"]


def test_a_rejection_reaches_the_order_with_customs_reason_and_asks_for_the_refund(opened):
    p, order, file = opened
    for doc in [order_receipt(p, order, "2", 1), *other_receipts(p, file, "2")]:
        deliver(p, doc)
    file.documents.filter(kind="inventory").update(state=Declaration.State.SENT)
    text = "清单[X]中购买人[张三]已用购买额度为[24000]，本次购买将超过年度限额[26,000.00]"
    deliver(p, inventory_receipt(file, "-621018", 2, text))
    deliver(p, inventory_receipt(file, "120", 3))  # after a final rejection: ignored

    order.refresh_from_db()
    file.refresh_from_db()
    assert order.status == Order.Status.CUSTOMS_REJECTED
    event = order.events.get(transition="reject_customs")
    assert "-621018" in event.reason and "年度限额" in event.reason
    assert file.status == OrderDeclaration.Status.REJECTED
    assert file.documents.get(kind="inventory").return_status == "-621018"
    refund = OutboxMessage.objects.get(kind=services.CUSTOMS_REJECTED)
    assert refund.payload["order_id"] == order.pk


def test_a_receipt_about_nobody_is_kept_as_unknown(opened):
    p, order, _ = opened
    stranger = t.OrderReceipt(
        guid=new_guid(),
        ebp_code=p.platform.code,
        ebc_code=p.ecommerce.code,
        order_no="SWNOBODY",
        return_status="120",
        return_time=T0,
        return_info="120",
    )
    receipt = deliver(p, stranger)
    assert receipt.outcome == Receipt.Outcome.UNKNOWN


def test_an_unreadable_envelope_is_kept_for_an_operator():
    receipt = services.receipt_store(envelope=b"<not-a-dxp/>")
    receipt = services.receipt_apply(receipt_id=receipt.pk)
    assert receipt.outcome == Receipt.Outcome.INVALID
    assert bytes(Receipt.objects.get(pk=receipt.pk).envelope) == b"<not-a-dxp/>"


def _tax_bill(file, *, duty: str, vat: str, consumption: str = "0") -> t.TaxBill:
    from decimal import Decimal as D

    line = t.TaxBillLine(
        gnum=1,
        gcode="0409000000",
        tax_price=D("398"),
        customs_tax=D(duty),
        value_added_tax=D(vat),
        consumption_tax=D(consumption),
    )
    return t.TaxBill(
        guid=new_guid(),
        return_time=T0,
        invt_no=file.invt_no,
        tax_no=f"{file.invt_no}-T1",
        customs_tax=D(duty),
        value_added_tax=D(vat),
        consumption_tax=D(consumption),
        status="1",
        lines=(line,),
    )


def test_a_tax_bill_that_agrees_with_checkout_is_not_flagged_and_one_that_differs_is(opened):
    p, order, file = opened
    file.invt_no = "29232026I000000001"
    file.save()
    ours = {tax["kind"]: tax["due"] for tax in order.assessment.result["lines"][0]["taxes"]}
    agrees = _tax_bill(file, duty=ours.get("duty", "0"), vat=ours.get("vat", "0"))
    assert deliver(p, agrees).outcome == Receipt.Outcome.APPLIED
    check = file.tax_bills.get()
    assert check.differs is False

    file.tax_bills.all().delete()
    differs = _tax_bill(file, duty="0", vat="99.99")
    deliver(p, differs)
    check = file.tax_bills.get()
    assert check.differs is True
    vat = next(x for x in check.lines[0]["taxes"] if x["tax"] == "value_added_tax")
    assert (vat["customs"], vat["ours"], vat["differs"]) == ("99.99", ours.get("vat", "0"), True)
    # the same bill again changes nothing
    assert deliver(p, differs).outcome == Receipt.Outcome.IGNORED
