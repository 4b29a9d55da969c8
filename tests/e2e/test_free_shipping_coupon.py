"""In a real browser, in Chinese: a shopper holding a merchant's free-shipping coupon with
goods of two merchants opens the checkout, sees the coupon picked and the shipping of that
merchant's order taken off (and not the other's), and places the orders priced as shown."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from marketing.coupons.services import coupon_claim, coupon_create
from orders.models import Checkout
from orders.services import cart_add, cart_for_user
from tests.customs.conftest import make_id_number
from tests.factories import UserFactory
from tests.orders.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
def test_the_checkout_in_chinese_shows_one_orders_shipping_taken_off(
    signed_in, live_server, localstripe
):
    world = make_world()
    user = UserFactory()
    now = timezone.now()
    free = coupon_create(
        merchant=world.kiwi,
        by=None,
        title="奇异自然包邮券",
        kind="free_shipping",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
    )
    claim = coupon_claim(coupon=free, user=user)
    cart = cart_for_user(user=user)
    cart_add(cart=cart, sku_id=world.honey.pk, quantity=1, destination="CN")
    cart_add(cart=cart, sku_id=world.serum.pk, quantity=2, destination="CN")
    context, page = signed_in(user, locale="zh-CN")
    try:
        page.goto("/zh-hans/cart/")
        page.locator("#id_province").select_option("CN-ZJ")
        page.get_by_role("button", name="更新").first.click()
        expect(page.locator(".cart-group .shipping h4").first).to_have_text("运费（未计优惠）")
        page.get_by_role("link", name="去结算").click()
        page.wait_for_url("**/zh-hans/checkout/")

        row = page.locator(f'.checkout-coupons [data-claim="{claim.pk}"]')
        expect(row.locator("input")).to_be_checked()
        kiwi = page.locator(f'.checkout-group[data-group^="{world.kiwi.pk}-"]')
        tokyo = page.locator(f'.checkout-group[data-group^="{world.tokyo.pk}-"]')
        expect(kiwi.locator(".group-shipping-discount")).to_contain_text("包邮券")
        expect(kiwi.locator(".group-shipping-discount")).to_contain_text("8.00")
        expect(tokyo.locator(".group-shipping-discount")).to_have_count(0)

        for name, value in (
            ("address-name", "林晓雨"),
            ("address-phone", "13800138000"),
            ("address-city", "杭州"),
            ("address-district", "西湖区"),
            ("address-lines", "文三路 90 号"),
            ("identity-name", "林晓雨"),
            ("identity-id_number", make_id_number(33, region="330106")),
        ):
            page.locator(f'[name="{name}"]').fill(value)
        page.get_by_role("button", name="提交订单并支付").click()
        page.wait_for_url("**/zh-hans/checkout/*/pay/")
        expect(page.locator(".checkout-order .order-shipping-discount")).to_have_count(1)
        expect(page.locator(".checkout-order .order-shipping-discount")).to_contain_text("8.00")
    finally:
        context.close()

    placed = Checkout.objects.get(user=user)
    off = dict(placed.orders.values_list("merchant_id", "shipping_discount"))
    assert off == {world.kiwi.pk: Decimal("8.00"), world.tokyo.pk: Decimal("0.00")}
