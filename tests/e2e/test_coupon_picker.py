"""In a real browser, in Chinese: a shopper with claimed coupons opens the checkout, sees
the best one ticked with what it saves and why the others do not apply, switches to a typed
code by the form alone (no JavaScript needed), and places the orders priced as the page
showed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from marketing.coupons.services import coupon_claim, coupon_create
from marketing.models import CouponClaim
from orders.models import Checkout
from orders.services import cart_add, cart_for_user
from tests.customs.conftest import make_id_number
from tests.factories import OperatorFactory, UserFactory
from tests.orders.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def coupon(merchant, title, amount, threshold, **extra):
    now = timezone.now()
    return coupon_create(
        merchant=merchant,
        by=None if merchant else OperatorFactory(),
        title=title,
        kind="fixed",
        amount=str(amount),
        threshold=str(threshold),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
        **extra,
    )


@pytest.mark.django_db(transaction=True)
def test_the_picker_in_chinese_applies_the_best_coupon_and_a_typed_code(
    signed_in, live_server, localstripe
):
    world = make_world()
    user = UserFactory()
    kiwi = coupon_claim(coupon=coupon(world.kiwi, "奇异自然满300减25", 25, 300), user=user)
    big = coupon_claim(coupon=coupon(None, "平台满1000减50", 50, 1000), user=user)
    coupon(None, "新人立减20", 20, 0, code="HELLO20")
    cart_add(cart=cart_for_user(user=user), sku_id=world.honey.pk, quantity=2, destination="CN")
    context, page = signed_in(user, locale="zh-CN")
    try:
        page.goto("/zh-hans/cart/")
        page.locator("#id_province").select_option("CN-ZJ")
        page.get_by_role("button", name="更新").first.click()
        page.get_by_role("link", name="去结算").click()
        page.wait_for_url("**/zh-hans/checkout/")

        picker = page.locator(".checkout-coupons")
        kiwi_row = picker.locator(f'[data-claim="{kiwi.pk}"]')
        big_row = picker.locator(f'[data-claim="{big.pk}"]')
        expect(kiwi_row.locator("input")).to_be_checked()
        expect(kiwi_row).to_contain_text("已使用：节省")
        expect(big_row.locator("input")).not_to_be_checked()
        expect(big_row).to_contain_text("适用商品满")
        expect(page.locator(".group-discount")).to_contain_text("25.00")

        page.get_by_label("券码").fill("HELLO20")
        page.get_by_role("button", name="使用优惠券").click()
        page.wait_for_url("**/zh-hans/checkout/")
        expect(page.locator(".group-discount")).to_contain_text("45.00")  # 25 + 20
        typed = CouponClaim.objects.get(user=user, coupon__code="HELLO20")
        expect(picker.locator(f'[data-claim="{typed.pk}"] input')).to_be_checked()

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
        expect(page.locator(".checkout-order .order-discount")).to_contain_text("45.00")
    finally:
        context.close()

    placed = Checkout.objects.get(user=user)
    assert placed.orders.get().discount_total == Decimal("45.00")
    assert set(
        CouponClaim.objects.filter(checkout_number=placed.number).values_list("pk", flat=True)
    ) == {kiwi.pk, typed.pk}
