"""Declared, matched and released by the real gateway simulator, over HTTP and AMQP."""

from __future__ import annotations

import pytest
from django.db import transaction

from customs.declarations import services
from customs.declarations.models import Declaration, OrderDeclaration, Receipt
from orders.models import Order
from tests.customs.docking.conftest import AMQP_URL, wait_for

from .helpers import paid_order, profile

pytestmark = pytest.mark.django_db(transaction=True)


def _declare(p, **order_args) -> Order:
    order, facts = paid_order(**order_args)
    with transaction.atomic():  # the payment's transaction; the outbox sends after it
        services.declarations_open(order, payment=facts)
    return order


def _until(p, predicate, timeout=30.0):
    def step():
        services.receipts_fetch(profile=p, timeout=0.2)
        return predicate()

    return wait_for(step, timeout=timeout, interval=0.05)


def _status(order: Order) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)


def _cleared_end_to_end(p, sim):
    order = _declare(p)
    assert _status(order) == Order.Status.DECLARED  # sent: the order is declared
    _until(p, lambda: _status(order) == Order.Status.CLEARED)

    events = list(order.events.values_list("transition", flat=True))
    assert events == ["pay", "declare", "clear"]
    file = OrderDeclaration.objects.get(order=order)
    assert file.status == OrderDeclaration.Status.CLEARED and file.invt_no
    states = dict(file.documents.values_list("kind", "state"))
    assert states == dict.fromkeys(
        ("order", "payment", "waybill", "inventory"), Declaration.State.DONE
    )
    assert file.documents.get(kind="inventory").return_status == "800"
    # the simulator saw each document once, and every receipt is stored raw
    for kind in ("order", "payment", "waybill", "inventory"):
        assert len([d for d in sim.state()["documents"] if d["kind"] == kind]) == 1
    assert Receipt.objects.filter(message_type="CEB622Message").count() >= 4
    assert all(
        bytes(r.envelope).startswith(b"<?xml") or b"DxpMsg" in bytes(r.envelope)
        for r in Receipt.objects.all()
    )
    return order, file


def test_a_paid_order_is_declared_matched_and_released_over_http(simulator):
    p = profile(gateway_url=simulator.url)
    order, file = _cleared_end_to_end(p, simulator)
    # the tax bill came after 399 and was reconciled line by line
    _until(p, lambda: file.tax_bills.exists())
    bill = file.tax_bills.get()
    assert [line["gnum"] for line in bill.lines] == [1]


def test_a_paid_order_is_declared_matched_and_released_over_amqp(amqp_simulator):
    p = profile(gateway_url=AMQP_URL, transport="amqp", prefix=amqp_simulator.prefix)
    _cleared_end_to_end(p, amqp_simulator)


def test_a_buyer_over_the_yearly_limit_is_rejected_by_customs_and_the_order_says_why(simulator):
    from decimal import Decimal as D

    from marketplace.models import OutboxMessage

    p = profile(gateway_url=simulator.url)
    # five lists of 4,500 CNY are released: 22,500 of the buyer's 26,000 for the year
    first = [_declare(p, unit_price=D("4500.00"), quantity=1, freight=D("0")) for _ in range(5)]
    _until(p, lambda: all(_status(o) == Order.Status.CLEARED for o in first), timeout=60)

    over = _declare(p, unit_price=D("4500.00"), quantity=1, freight=D("0"))
    # rejected, then cancelled by order_cancel (refund and stock back) once the outbox runs
    _until(p, lambda: _status(over) in (Order.Status.CUSTOMS_REJECTED, Order.Status.CANCELLED))

    event = over.events.get(transition="reject_customs")
    assert "-621018" in event.reason and "年度限额" in event.reason
    file = OrderDeclaration.objects.get(order=over)
    assert file.status == OrderDeclaration.Status.REJECTED
    # the refund and the stock go back through the checkout's order_cancel, after commit
    assert OutboxMessage.objects.filter(
        kind=services.CUSTOMS_REJECTED, payload__order_id=over.pk
    ).exists()
