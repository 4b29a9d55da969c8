"""Seller-portal order pages: the merchant's orders only (cross-tenant 404 on every page and
action), filters, accept, mark packed (bonded goods once cleared), notes, and answering a
refund request; staff roles as merchants/roles.py says."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from merchants.roles import Role
from orders.flow import ORDER_FLOW
from orders.models import Order, OrderEvent, RefundRequest
from tests.factories import MembershipFactory, OrderFactory, UserFactory
from tests.querycounts import assert_queries
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def url(name, order=None, **kwargs):
    args = [order.number] if order is not None else []
    args += list(kwargs.values())
    if name == "pack":  # the order page's "Mark as packed" is fulfilment's one door
        return reverse("seller_shipments:pack", args=args)
    return reverse(f"seller_orders:{name}", args=args)


@pytest.fixture
def order(tenants):
    return OrderFactory(merchant=tenants.a.merchant)


def test_every_order_page_and_action_is_a_404_for_another_merchant(tenants, order):
    request = RefundRequest.objects.create(order=order, requested_by=order.user, reason="broken")
    assert_cross_tenant_404(url("detail", order), owner=tenants.a.client, intruder=tenants.b.client)
    for name, extra in (
        ("accept", {}),
        ("pack", {}),
        ("note", {}),
        ("decline_refund_request", {"pk": request.pk}),
    ):
        response = tenants.b.client.post(url(name, order, **extra), {"note": "x", "reason": "x"})
        assert response.status_code == 404, name
    order.refresh_from_db()
    assert order.accepted_at is None and order.status == "paid" and order.merchant_note == ""
    request.refresh_from_db()
    assert request.status == "open"
    # and the list shows only the merchant's own
    assert order.number not in tenants.b.client.get(url("list")).content.decode()
    assert order.number in tenants.a.client.get(url("list")).content.decode()


def test_unpaid_orders_are_not_the_merchants_yet(tenants):
    unpaid = OrderFactory(merchant=tenants.a.merchant, status="awaiting_payment", paid_at=None)
    assert unpaid.number not in tenants.a.client.get(url("list")).content.decode()
    assert tenants.a.client.get(url("detail", unpaid)).status_code == 404


def test_filters_status_mode_date_and_number(tenants):
    merchant = tenants.a.merchant
    bonded = OrderFactory(merchant=merchant)
    direct = OrderFactory(merchant=merchant, clearance_mode="direct", customs_code="9610")
    ORDER_FLOW.apply(direct, "pack", by=None, event_model=OrderEvent)
    old = OrderFactory(merchant=merchant)
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    browser = tenants.a.client

    def shown(**query):
        html = browser.get(url("list"), query).content.decode()
        return {o.number for o in (bonded, direct, old) if o.number in html}

    assert shown() == {bonded.number, direct.number, old.number}
    assert shown(status="packed") == {direct.number}
    assert shown(mode="bonded") == {bonded.number, old.number}
    since = (timezone.now() - timedelta(days=7)).date().isoformat()
    assert shown(placed_from=since) == {bonded.number, direct.number}
    assert shown(q=direct.number[-6:].lower()) == {direct.number}


def test_accept_then_pack_a_direct_mail_order(tenants):
    order = OrderFactory(merchant=tenants.a.merchant, clearance_mode="direct")
    browser = tenants.a.client
    html = browser.get(url("detail", order)).content.decode()
    assert "Accept the order" in html and "Mark as packed" in html
    browser.post(url("accept", order))
    order.refresh_from_db()
    assert order.accepted_at is not None
    browser.post(url("accept", order))  # twice changes nothing
    assert OrderEvent.objects.filter(subject=order, transition="accept").count() == 1
    response = browser.post(url("pack", order), follow=True)
    assert "Order marked as packed." in response.content.decode()
    order.refresh_from_db()
    assert order.status == "packed"


def test_bonded_goods_are_packed_only_once_cleared(tenants, order):
    browser = tenants.a.client
    assert "Mark as packed" not in browser.get(url("detail", order)).content.decode()
    response = browser.post(url("pack", order), follow=True)
    assert "only once customs has cleared" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "paid"
    ORDER_FLOW.apply(order, "declare", by=None, event_model=OrderEvent)
    ORDER_FLOW.apply(order, "clear", by=None, event_model=OrderEvent)
    browser.post(url("pack", order))
    order.refresh_from_db()
    assert order.status == "packed" and order.accepted_at is not None


def test_the_team_note_is_kept_in_the_history_and_hidden_from_the_shopper(
    tenants, order, client_for
):
    tenants.a.client.post(url("note", order), {"note": "Gift wrap, fragile"})
    order.refresh_from_db()
    assert order.merchant_note == "Gift wrap, fragile"
    assert "Gift wrap, fragile" in tenants.a.client.get(url("detail", order)).content.decode()
    shopper_page = client_for(order.user).get(f"/en/account/orders/{order.number}/")
    assert "Gift wrap" not in shopper_page.content.decode()


def test_declining_a_refund_request_tells_the_shopper_why(tenants, order, client_for):
    Order.objects.filter(pk=order.pk).update(status="delivered")
    request = RefundRequest.objects.create(order=order, requested_by=order.user, reason="broken")
    response = tenants.a.client.post(
        url("decline_refund_request", order, pk=request.pk),
        {"reason": "The photos show an intact jar"},
        follow=True,
    )
    assert "declined" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "declined" and request.decided_by == tenants.a.owner
    html = client_for(order.user).get(f"/en/account/orders/{order.number}/").content.decode()
    assert "The photos show an intact jar" in html and "Declined" in html


@pytest.mark.parametrize("role", [Role.MANAGER, Role.STAFF])
def test_managers_and_staff_fulfil_orders(tenants, order, client_for, role):
    member = MembershipFactory(merchant=tenants.a.merchant, role=role)
    browser = client_for(member.user)
    assert browser.get(url("detail", order)).status_code == 200
    browser.post(url("accept", order))
    order.refresh_from_db()
    assert order.accepted_at is not None


def test_a_role_without_manage_orders_only_reads(tenants, order, client_for, monkeypatch):
    from merchants import roles

    monkeypatch.setitem(roles.CAPABILITIES, Role.STAFF, frozenset({roles.Capability.VIEW}))
    member = MembershipFactory(merchant=tenants.a.merchant, role=Role.STAFF)
    browser = client_for(member.user)
    page = browser.get(url("detail", order))
    assert page.status_code == 200 and "Accept the order" not in page.content.decode()
    assert browser.post(url("accept", order)).status_code == 403
    order.refresh_from_db()
    assert order.accepted_at is None


def test_a_shopper_is_not_a_seller(order, client_for):
    browser = client_for(UserFactory())
    assert browser.get(url("list")).status_code == 302  # to choose a merchant


def test_the_seller_list_costs_the_same_for_one_order_and_for_twenty(tenants):
    def grow():
        for _n in range(10):
            OrderFactory(merchant=tenants.a.merchant, lines=2)

    assert_queries(tenants.a.client, url("list"), grow=grow, pin=5)


def test_the_seller_order_page_costs_a_fixed_number_of_queries(tenants):
    order = OrderFactory(merchant=tenants.a.merchant, lines=6)
    # 9: the distribution commission on the order (one query, issue 12)
    assert_queries(tenants.a.client, url("detail", order), pin=9)


def test_the_order_page_says_who_bears_each_promotion(tenants):
    """What the pricing pipeline stored per line (``LinePromotionShare``), summed per step:
    the merchant reads its own part and the platform's, in either language."""
    from decimal import Decimal as D

    from orders.models import LinePromotionShare

    order = OrderFactory(merchant=tenants.a.merchant, lines=2)
    first, second = order.lines.all()
    for line, coupon, points in ((first, "20.00", "1.50"), (second, "10.00", "0.50")):
        LinePromotionShare.objects.create(
            line=line,
            ref="claim:1",
            step="coupon",
            currency="CNY",
            amount=D(coupon),
            platform_bears=D(coupon) * D("0.4"),
            merchant_bears=D(coupon) * D("0.6"),
            cuts_price=True,
        )
        LinePromotionShare.objects.create(
            line=line,
            ref="points",
            step="points",
            currency="CNY",
            amount=D(points),
            platform_bears=D(points),
            merchant_bears=D(0),
            cuts_price=False,
        )
    html = tenants.a.client.get(url("detail", order)).content.decode()
    section = html[html.index('class="promotion-costs"') :]
    coupon_row = section[section.index('data-step="coupon"') :].split("</tr>")[0]
    points_row = section[section.index('data-step="points"') :].split("</tr>")[0]
    assert "Coupons" in coupon_row and "30.00" in coupon_row
    assert "18.00" in coupon_row and "12.00" in coupon_row  # the merchant's 60 %, ours 40 %
    assert "Points" in points_row and "2.00" in points_row
    assert section.index('data-step="coupon"') < section.index('data-step="points"')
    zh = tenants.a.client.get(url("detail", order).replace("/en/", "/zh-hans/", 1))
    assert "由您承担" in zh.content.decode() and "积分" in zh.content.decode()
    plain = OrderFactory(merchant=tenants.a.merchant)
    assert "promotion-costs" not in tenants.a.client.get(url("detail", plain)).content.decode()
