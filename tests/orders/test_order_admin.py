"""Back office: every order with filters, its history, lines and allocations inline, the
refund requests answered with a reason; checkouts and allocations read-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.flow import ORDER_FLOW
from orders.models import Order, OrderEvent, RefundRequest
from tests.factories import MerchantFactory, OrderFactory
from tests.querycounts import assert_queries

pytestmark = pytest.mark.django_db

LIST = "/en/ops/orders/order/"


@pytest.fixture
def ops(client_for, operator):
    return client_for(operator)


def test_operators_see_all_orders_and_filter_them(ops):
    kiwi, tokyo = MerchantFactory(name_en="Kiwi Nature"), MerchantFactory(name_en="Tokyo Beauty")
    bonded = OrderFactory(merchant=kiwi)
    direct = OrderFactory(merchant=tokyo, clearance_mode="direct")
    ORDER_FLOW.apply(direct, "pack", by=None, event_model=OrderEvent)
    old = OrderFactory(merchant=tokyo)
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=60))

    def shown(**query):
        html = ops.get(LIST, query).content.decode()
        return {o.number for o in (bonded, direct, old) if o.number in html}

    assert shown() == {bonded.number, direct.number, old.number}
    assert shown(status__exact="packed") == {direct.number}
    assert shown(mode="bonded") == {bonded.number, old.number}
    assert shown(merchant__id__exact=kiwi.pk) == {bonded.number}
    since = (timezone.now() - timedelta(days=7)).date().isoformat()
    assert shown(created_at__gte=since) == {bonded.number, direct.number}
    assert shown(q=direct.number) == {direct.number}


def test_the_order_shows_lines_allocations_duties_and_history(ops):
    order = OrderFactory()
    ORDER_FLOW.apply(order, "declare", by=None, event_model=OrderEvent, reason="pushed")
    html = ops.get(f"{LIST}{order.pk}/change/").content.decode()
    assert "Manuka Honey 500g" in html and "Allocated" in html
    assert "Declared to customs" in html and "pushed" in html
    assert "Cross-border e-commerce retail import tax" in html
    assert order.checkout.number in html


def test_an_operator_declines_a_refund_request_with_a_reason(ops, operator):
    order = OrderFactory()
    Order.objects.filter(pk=order.pk).update(status="delivered")
    request = RefundRequest.objects.create(order=order, requested_by=order.user, reason="late")
    page = ops.get(f"{LIST}{order.pk}/change/").content.decode()
    assert "Refund request waiting for an answer" in page
    response = ops.post(
        f"{LIST}{order.pk}/refund-requests/{request.pk}/decline/",
        {"reason": "Delivered within the promised window"},
        follow=True,
    )
    assert "The refund request is declined." in response.content.decode()
    request.refresh_from_db()
    assert request.status == "declined" and request.decided_by == operator


def test_orders_cannot_be_edited_or_deleted_here(ops):
    order = OrderFactory()
    ops.post(f"{LIST}{order.pk}/change/", {"status": "completed", "total": "0"})
    ops.post(f"{LIST}{order.pk}/delete/", {"post": "yes"})
    order.refresh_from_db()
    assert order.status == "paid" and order.total > 0


def test_shoppers_and_sellers_are_not_let_in(client_for, tenants):
    order = OrderFactory(merchant=tenants.a.merchant)
    for client in (tenants.a.client, client_for(order.user)):
        response = client.get(f"{LIST}{order.pk}/change/")
        assert response.status_code == 302 and "/ops/login/" in response["Location"]


def test_checkouts_and_allocations_read_only(ops):
    order = OrderFactory()
    html = ops.get(f"/en/ops/orders/checkout/{order.checkout_id}/change/").content.decode()
    assert order.number in html and "世纪大道" in html
    assert ops.get("/en/ops/orders/allocation/").status_code == 200


def test_the_back_office_list_does_not_grow_with_orders(ops):
    def grow():
        for _n in range(5):
            OrderFactory()

    assert_queries(ops, LIST, grow=grow, pin=12)
