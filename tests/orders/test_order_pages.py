"""The shopper's order pages: their orders, one order with its history, duties line by line,
shipping and payment, and the refund request; nobody else's order is reachable."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.flow import ORDER_FLOW
from orders.models import Order, OrderEvent, RefundRequest
from tests.factories import CheckoutFactory, OrderFactory, UserFactory
from tests.querycounts import assert_queries

pytestmark = pytest.mark.django_db


def list_url(lang="en"):
    return f"/{lang}/account/orders/"


def order_url(order, lang="en"):
    return f"/{lang}/account/orders/{order.number}/"


@pytest.fixture
def shopper():
    return UserFactory()


@pytest.fixture
def order(shopper):
    order = OrderFactory(checkout=CheckoutFactory(user=shopper))
    ORDER_FLOW.apply(order, "declare", by=None, event_model=OrderEvent)
    return order


def test_the_shopper_sees_their_orders_and_nobody_elses(client_for, shopper, order):
    other = OrderFactory()
    page = client_for(shopper).get(list_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert order.number in html and other.number not in html
    assert "Manuka Honey 500g" in html and order.merchant.name_en in html
    assert "Declared to customs" in html


def test_the_list_asks_to_log_in(client):
    page = client.get(list_url())
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_the_order_page_shows_history_duties_shipping_and_payment(client_for, shopper, order):
    page = client_for(shopper).get(order_url(order))
    assert page.status_code == 200
    html = page.content.decode()
    # duties line by line, from the frozen figures
    assert "Cross-border e-commerce retail import tax" in html
    assert "Collected at checkout" in html
    assert "9.1%" in html and "16.32" in html and "1.79" in html
    # shipping as chosen, and its window
    assert "SF Standard" in html and "Delivery in 2–4 days" in html
    assert "世纪大道 100 号" in html
    # payment and history
    assert "Paid on" in html and order.checkout.number in html
    assert 'data-transition="declare"' in html


def test_the_order_page_in_chinese(client_for, shopper, order):
    html = client_for(shopper).get(order_url(order, "zh-hans")).content.decode()
    assert "跨境电商零售进口税" in html and "顺丰标快" in html and "麦卢卡蜂蜜 500克" in html


def test_another_shoppers_order_is_a_404(client_for, order):
    intruder = client_for(UserFactory())
    assert intruder.get(order_url(order)).status_code == 404
    response = intruder.post(
        reverse("account_orders:refund_request", args=[order.number]), {"reason": "mine now"}
    )
    assert response.status_code == 404
    assert not RefundRequest.objects.exists()


def test_a_shipped_order_can_be_refunded_on_request_and_the_answer_is_shown(
    client_for, shopper, order
):
    for move in ("clear", "pack", "ship"):
        ORDER_FLOW.apply(order, move, by=None, event_model=OrderEvent)
    browser = client_for(shopper)
    html = browser.get(order_url(order)).content.decode()
    assert "Ask for a refund" in html and "Cancel the order" not in html
    response = browser.post(
        reverse("account_orders:refund_request", args=[order.number]),
        {"reason": "The jar arrived broken", "amount": "50.00"},
        follow=True,
    )
    html = response.content.decode()
    assert "the seller will answer" in html
    request = RefundRequest.objects.get(order=order)
    assert request.amount == Decimal("50.00") and request.status == "open"
    assert "Waiting for the seller" in html and "Ask for a refund" not in html
    # a second request while the first is open is refused with the reason
    response = browser.post(
        reverse("account_orders:refund_request", args=[order.number]),
        {"reason": "again"},
        follow=True,
    )
    assert "already asked for a refund" in response.content.decode()
    assert RefundRequest.objects.count() == 1


def test_a_refund_over_what_is_left_is_refused(client_for, shopper, order):
    Order.objects.filter(pk=order.pk).update(status=Order.Status.DELIVERED)
    response = client_for(shopper).post(
        reverse("account_orders:refund_request", args=[order.number]),
        {"reason": "too much", "amount": "999.00"},
        follow=True,
    )
    assert "can still be refunded" in response.content.decode()
    assert not RefundRequest.objects.exists()


def test_the_list_costs_the_same_for_one_order_and_for_twenty(client_for, shopper):
    def grow():
        for _n in range(10):
            OrderFactory(checkout=CheckoutFactory(user=shopper), lines=2)

    assert_queries(client_for(shopper), list_url(), grow=grow, pin=5)


def test_the_order_page_costs_a_fixed_number_of_queries(client_for, shopper):
    order = OrderFactory(checkout=CheckoutFactory(user=shopper), lines=5, clearance_mode="direct")
    for move in ("pack", "ship", "deliver"):
        ORDER_FLOW.apply(order, move, by=None, event_model=OrderEvent)
    # the order (checkout, merchant, warehouse, method), lines, allocations (stock and
    # warehouse), events, refund requests; plus the session, user and header's own
    # + the delivered order's returns block (logistics.returns: its returns, the return
    # policy and the delivery time read by each of refusal, deadline and form, the lines
    # left to return): 10 more, flat per line (stop 17; reading policy and delivery once
    # would take about 6 off)
    assert_queries(client_for(shopper), order_url(order), pin=17)
