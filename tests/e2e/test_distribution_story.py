"""The whole distribution story in a real browser, in Chinese (issue 12): a shopper signs up
as a distributor, opens a product page's WeChat share and its QR code carries their own link
(scanned with zbar from the rendered page); a second shopper follows it, buys with the
platform's 满299减30 and points (the duties unchanged, and the page says why), pays with a
test card on localstripe; the distributor's dashboard shows the pending commission; the
order is delivered and completes once the return window is over (time moved through the
services' ``now=``), and the commission is confirmed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from logistics.returns.models import ReturnPolicy
from logistics.returns.services import orders_complete_due
from marketing.distribution.models import Commission
from marketing.models import Distributor, Referral, ShareClick
from marketing.points.services import EarnLine, points_balance, points_earn
from orders.flow import ORDER_FLOW
from orders.models import Checkout, OrderEvent
from tests.e2e.test_checkout import fill_hangzhou_address_zh, pay_with_card
from tests.factories import UserFactory
from tests.marketing.conftest import spend_and_save_299_30
from tests.orders.checkout_helpers import place, shopper_with
from tests.orders.conftest import make_world
from tests.pdfs import image_codes

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
def test_a_shared_qr_code_earns_the_distributor_a_commission_confirmed_at_completion(
    signed_in, live_server, localstripe, settings, tmp_path
):
    settings.SITE_URL = live_server.url  # the links the pages write are this server's
    world = make_world()
    ReturnPolicy.objects.create(merchant=world.kiwi, window_days=7)
    spend_and_save_299_30()
    # the same order with the coupon and without points: the duties to compare with
    other, other_cart = shopper_with((world.honey, 2))
    reference = place(other, other_cart, key="ref").orders.get()
    product_path = f"/zh-hans/p/{world.honey.product_id}/{world.honey.product.slug}/"

    # 1. A shopper becomes a distributor in one click and opens the product's WeChat share.
    seller = UserFactory()
    seller_context, seller_page = signed_in(seller, locale="zh-CN", device_scale_factor=2)
    try:
        seller_page.goto("/zh-hans/distribution/")
        seller_page.get_by_role("button", name="成为分销员").click()
        expect(seller_page.locator(".share-url")).to_contain_text("/r/")
        code = Distributor.objects.get(user=seller).code

        seller_page.goto(product_path)
        share = seller_page.locator("nav.share")
        expect(share).to_have_attribute("data-share-code", code)
        share.locator(".share-wechat summary").click()
        qr = share.locator(".share-wechat img")
        expect(qr).to_be_visible()
        qr.evaluate("img => img.decode()")
        (link,) = image_codes(qr.screenshot(), tmp_path)  # what a phone reads
        assert link.startswith(f"{live_server.url}/zh-hans/r/{code}/?next=")
        weibo = share.locator(".share-weibo").get_attribute("href") or ""
        assert f"%2Fr%2F{code}%2F" in weibo  # Weibo shares the same link

        # 2. A friend with points scans it, lands on the product and buys two jars.
        buyer = UserFactory()
        points_earn(
            user_id=buyer.pk,
            order_number="SW-EARLIER",
            lines=[EarnLine(world.kiwi.pk, None, Decimal(5000))],
            kept=Decimal(1),
        )
        buyer_context, page = signed_in(buyer, locale="zh-CN")
        try:
            page.goto(link)
            page.wait_for_url(f"**{product_path}")
            click = ShareClick.objects.get(distributor__code=code)
            assert click.user == buyer
            assert "data-share-code" not in page.content()  # the friend is no distributor

            page.locator('input[name="quantity"]').first.fill("2")
            page.get_by_role("button", name="加入购物车").first.click()
            page.wait_for_url("**/zh-hans/cart/")
            page.locator("#id_province").select_option("CN-ZJ")
            page.get_by_role("button", name="更新").first.click()
            page.get_by_role("link", name="去结算").click()
            page.wait_for_url("**/zh-hans/checkout/")

            # 3. 满299减30 applies by itself; 3,000 points; the page says the duties stay.
            expect(page.locator("#points-why")).to_contain_text("税费不会因此减少")
            page.get_by_label("使用积分").fill("3000")
            fill_hangzhou_address_zh(page, 44)
            page.get_by_role("button", name="提交订单并支付").click()

            page.wait_for_url("**/zh-hans/checkout/*/pay/")
            order_box = page.locator(".checkout-order")
            expect(order_box).to_have_count(1)
            expect(order_box.locator(".order-discount")).to_contain_text("60.00")
            expect(order_box.locator(".order-duties")).to_contain_text(f"{reference.duty_total}")
            pay_with_card(page, "4242424242424242", "310012")
            page.wait_for_url("**/zh-hans/checkout/*/done/")
            expect(page.locator("h1")).to_have_text("谢谢：您的订单已支付")
        finally:
            buyer_context.close()

        checkout = Checkout.objects.get(user=buyer)
        assert checkout.status == Checkout.Status.PAID
        order = checkout.orders.get()
        assert order.duty_total == reference.duty_total  # points did not lower the duties
        assert points_balance(buyer.pk) == 2000
        referral = Referral.objects.get(checkout_number=checkout.number)
        assert referral.distributor.code == code and referral.commission > 0

        # 4. The distributor's dashboard: one order, its commission pending.
        seller_page.goto("/zh-hans/distribution/")
        expect(seller_page.locator('[data-figure="orders"]')).to_have_text("1")
        expect(seller_page.locator('[data-figure="pending"]')).to_have_text(
            f"{referral.commission}"
        )
        expect(seller_page.locator('[data-figure="confirmed"]')).to_have_text("0.00")

        # 5. Delivered; a week later the return window is over and the order completes.
        for move in ("pack", "ship", "deliver"):
            ORDER_FLOW.apply(order, move, by=None, event_model=OrderEvent)
        assert orders_complete_due(now=timezone.now() + timedelta(days=6)) == 0
        assert orders_complete_due(now=timezone.now() + timedelta(days=7, minutes=1)) == 1
        assert set(
            Commission.objects.filter(order_id=order.pk, role="level1").values_list(
                "status", flat=True
            )
        ) == {"confirmed"}
        referral.refresh_from_db()
        assert referral.status == Referral.Status.CONFIRMED

        seller_page.reload()
        expect(seller_page.locator('[data-figure="pending"]')).to_have_text("0.00")
        expect(seller_page.locator('[data-figure="confirmed"]')).to_have_text(
            f"{referral.commission}"
        )
        expect(seller_page.locator('[data-figure="available"]')).to_have_text(
            f"{referral.commission}"
        )
        expect(seller_page.locator("table").last).to_contain_text("已确认")
    finally:
        seller_context.close()
