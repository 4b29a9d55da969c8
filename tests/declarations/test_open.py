"""Opening a declaration when an order is paid: the documents, their numbers, matching."""

from __future__ import annotations

import threading
from dataclasses import replace
from decimal import Decimal as D

import pytest
from django.db import connection

from customs.declarations import documents as stored
from customs.declarations import services
from customs.declarations.models import Declaration, OrderDeclaration, WaybillNumber
from customs.gateway.sealing import seal
from customs.profiles.services import route_for, signer_for, transfer_for
from marketplace.models import OutboxMessage

from .helpers import paid_order, profile

pytestmark = pytest.mark.django_db


def test_a_paid_order_gets_four_documents_that_agree_and_three_go_on_the_outbox():
    p = profile(gateway_url="http://127.0.0.1:1")
    order, facts = paid_order()
    file = services.declarations_open(order, payment=facts)

    assert file.status == OrderDeclaration.Status.OPEN
    rows = {row.kind: row for row in file.documents.all()}
    assert set(rows) == {"order", "payment", "waybill", "inventory"}
    assert rows["inventory"].state == Declaration.State.HELD
    docs = services.stored_documents(file)
    # amounts from the engine, the payment equals acturalPaid, one consignee everywhere
    assert docs.order.actual_paid == order.total == docs.payment.amount_paid
    assert docs.order.consignee == docs.waybill.consignee == "张三"
    assert docs.order.consignee_address == docs.waybill.consignee_address
    assert docs.inventory.consignee_address == docs.order.consignee_address
    assert [line.gnum for line in docs.order.lines] == [line.gnum for line in docs.inventory.lines]
    assert docs.waybill.logistics_no == docs.inventory.logistics_no == file.logistics_no
    assert docs.inventory.cop_no == file.cop_no
    assert docs.payment.pay_transaction_id == facts.transaction_id == docs.order.pay_transaction_id
    # every stored document seals (signed, valid against the official XSD)
    for doc in docs.by_kind().values():
        sealed = seal(
            [doc], signer=signer_for(p.signing_key), route=route_for(p), transfer=transfer_for(p)
        )
        assert sealed[0].document_guids == (doc.guid,)
    # one outbox message sends the order's three documents (the list waits)
    (message,) = OutboxMessage.objects.filter(kind=services.SEND)
    assert message.payload == {"file_id": file.pk}
    pending = file.documents.filter(state=Declaration.State.PENDING)
    assert sorted(pending.values_list("kind", flat=True)) == ["order", "payment", "waybill"]


def test_an_order_with_a_price_cut_declares_its_lines_at_what_they_sold_for():
    # ¥30 off ¥398 (a spend-and-save): goodsValue is 368.00, so must the lines be, or the
    # order's own check (goodsValue = the lines' total) stops the declaration
    p = profile(gateway_url="http://127.0.0.1:1")
    order, facts = paid_order(unit_price=D("199.00"), quantity=2, discount=D("30.00"))
    file = services.declarations_open(order, payment=facts)

    assert file.status == OrderDeclaration.Status.OPEN, file.reason
    docs = services.stored_documents(file)
    assert docs.order.goods_value == D("368.00")
    for lines in (docs.order.lines, docs.inventory.lines):
        (line,) = lines
        assert line.total_price == D("368.00")
        assert line.price == D("184.00")
    assert docs.order.actual_paid == order.total == docs.payment.amount_paid
    for doc in (docs.order, docs.inventory):
        sealed = seal(
            [doc], signer=signer_for(p.signing_key), route=route_for(p), transfer=transfer_for(p)
        )
        assert sealed[0].document_guids == (doc.guid,)


def test_a_unit_price_that_does_not_divide_is_declared_to_five_decimals():
    profile(gateway_url="http://127.0.0.1:1")
    order, facts = paid_order(unit_price=D("100.00"), quantity=3, discount=D("0.01"))
    file = services.declarations_open(order, payment=facts)

    assert file.status == OrderDeclaration.Status.OPEN, file.reason
    (line,) = services.stored_documents(file).order.lines
    assert line.total_price == D("299.99")
    assert line.price == D("99.99667")


def test_opening_costs_a_pinned_number_of_queries(django_assert_max_num_queries):
    """Opening sits in the payment's transaction and bounded the declarations bench
    (docs/PERFORMANCE.md): its cost is round trips, not building, so they are pinned — one
    read of the profile, the order, its lines with their SKUs, the carrier's counter in one
    statement, and the writes (17 with the outbox's savepoints)."""
    profile(gateway_url="http://127.0.0.1:1")
    order, facts = paid_order()
    second, second_facts = paid_order()
    services.declarations_open(order, payment=facts)  # the carrier's counter now exists
    with django_assert_max_num_queries(18):  # + the number copied onto the order
        file = services.declarations_open(second, payment=second_facts, orders_in_payment=1)
    assert file.status == OrderDeclaration.Status.OPEN


def test_opening_many_costs_the_same_statements_plus_one_counter_update_per_order(
    django_assert_max_num_queries,
):
    profile(gateway_url="http://127.0.0.1:1")
    first, first_facts = paid_order()
    services.declarations_open(first, payment=first_facts)
    paid = [paid_order() for _ in range(6)]
    # reads: existing, profiles, orders, lines+SKUs, waybill numbers; writes: savepoint pair,
    # numbers, files, documents, the outbox message (6 with its savepoints); one counter
    # update per order
    with django_assert_max_num_queries(17 + len(paid)):
        files = services.declarations_open_many(paid, orders_in_payment=1)
    assert [f.order_id for f in files] == [order.pk for order, _ in paid]
    assert {f.status for f in files} == {OrderDeclaration.Status.OPEN}
    numbers = [f.logistics_no for f in files]
    assert len(set(numbers)) == len(paid)
    # one outbox message drains the profile: every order's three documents are pending
    (message,) = OutboxMessage.objects.filter(kind=services.SEND).exclude(
        payload={"file_id": services.declarations_open(first).pk}
    )
    assert message.payload == {"file_id": files[0].pk}
    pending = Declaration.objects.filter(file__in=files, state=Declaration.State.PENDING)
    assert pending.count() == 3 * len(paid)
    # and again: the same declarations, nothing new
    again = services.declarations_open_many(paid)
    assert [f.pk for f in again] == [f.pk for f in files]
    assert WaybillNumber.objects.count() == len(paid) + 1


def test_one_order_of_many_that_cannot_be_declared_stops_alone():
    profile(gateway_url="http://127.0.0.1:1")
    good, good_facts = paid_order()
    bad, bad_facts = paid_order()
    bad.checkout.payer_name = ""  # no payer identity: not declarable
    bad.checkout.save(update_fields=["payer_name"])
    files = services.declarations_open_many([(good, good_facts), (bad, bad_facts)])
    assert files[0].status == OrderDeclaration.Status.OPEN
    files[1].refresh_from_db()
    assert files[1].status == OrderDeclaration.Status.STOPPED
    assert files[1].reason.startswith("payer:")
    assert not files[1].documents.filter(state=Declaration.State.PENDING).exists()


def test_opening_twice_keeps_the_numbers_and_guids():
    profile(gateway_url="http://127.0.0.1:1")
    order, facts = paid_order()
    first = services.declarations_open(order, payment=facts)
    guids = sorted(first.documents.values_list("guid", flat=True))
    again = services.declarations_open(order, payment=facts)
    assert again.pk == first.pk
    assert sorted(again.documents.values_list("guid", flat=True)) == guids
    assert OutboxMessage.objects.filter(kind=services.SEND).count() == 1


def test_a_bonded_order_carries_the_product_record_on_every_list_line():
    from .helpers import bonded_profile

    bonded_profile(profile(gateway_url="http://127.0.0.1:1"))
    order, facts = paid_order(bonded=True)
    file = services.declarations_open(order, payment=facts)
    docs = services.stored_documents(file)
    assert file.status == OrderDeclaration.Status.OPEN, file.reason
    assert docs.inventory.trade_mode == "1210"
    assert [line.item_record_no for line in docs.inventory.lines] == ["HZ2026-0001"]


def test_an_order_nobody_declares_gets_no_declaration():
    profile(gateway_url="http://127.0.0.1:1")
    order, facts = paid_order()
    order.clearance_mode = "general_trade"
    assert services.declarations_open(order, payment=facts) is None


def test_a_mismatched_consignee_stops_the_list_before_it_is_sent_with_the_reason():
    p = profile(gateway_url="http://127.0.0.1:1")
    order, facts = paid_order()
    file = services.declarations_open(order, payment=facts)
    # The carrier's waybill names someone else (as a partner's data can)
    waybill = file.documents.get(kind="waybill")
    doc = replace(stored.load(waybill.document), consignee="李四")
    waybill.document = stored.dump(doc, transfer=transfer_for(p))
    waybill.save()
    file.documents.exclude(kind="inventory").update(state=Declaration.State.ACCEPTED)

    services.declaration_follow(file_id=file.pk)

    file.refresh_from_db()
    assert file.status == OrderDeclaration.Status.STOPPED
    assert "waybill.consignee is “李四”, expected “张三”" in file.reason
    assert [(m["code"], m["expected"], m["actual"]) for m in file.mismatches] == [
        ("consignee", "张三", "李四")
    ]
    inventory = file.documents.get(kind="inventory")
    assert inventory.state == Declaration.State.STOPPED and inventory.sent_at is None
    assert not OutboxMessage.objects.filter(
        kind=services.SEND, payload__declaration_id=inventory.pk
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_waybill_numbers_never_repeat_under_concurrent_payments():
    profile(gateway_url="http://127.0.0.1:1")
    orders = [paid_order()[0] for _ in range(8)]
    numbers, errors = [], []
    barrier = threading.Barrier(len(orders))

    def allocate(order):
        try:
            barrier.wait(timeout=10)
            from django.db import transaction

            with transaction.atomic():
                numbers.append(services.waybill_number_allocate(order=order))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate, args=(o,)) for o in orders]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert len(numbers) == len(set(numbers)) == 8
    assert all(n.startswith("TEST") for n in numbers)  # the carrier test-post's numbering
    assert WaybillNumber.objects.count() == 8


def test_the_consignee_address_names_the_province_in_chinese():
    from customs.declarations.adapter import consignee_address

    address = {"province": "CN-ZJ", "city": "杭州市", "district": "西湖区", "lines": "文三路1号"}
    assert consignee_address(address) == "浙江杭州市西湖区文三路1号"
