"""In a real browser, in Chinese: a gift with purchase (满299赠小样). The cart says how much
more to spend, then shows the gift once the order reaches the threshold; the checkout lists
it as 赠品 at no charge; the shopper pays with a test card (localstripe) and finds the gift
line on the paid page and on the order page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import Stock
from marketing.models import GiftPromotion
from orders.models import Checkout
from orders.services import cart_add, cart_for_user
from tests.e2e.test_checkout import add_from_product_page, fill_hangzhou_address_zh, pay_with_card
from tests.factories import ProductFactory, SKUFactory, StockFactory, UserFactory
from tests.orders.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
def test_a_chinese_shopper_spends_past_the_threshold_and_gets_the_gift(signed_in, localstripe):
    world = make_world()
    sample = SKUFactory(
        product=ProductFactory(
            merchant=world.kiwi, name_en="Honey sample", name_zh_hans="蜂蜜小样"
        ),
        price=Decimal("25.00"),
        allow_bonded=True,
        product_record_status="recorded",
        product_record_number="HZ2026-0099",
    )
    StockFactory(sku=sample, warehouse=world.bonded, on_hand=5)
    now = timezone.now()
    GiftPromotion.objects.create(
        merchant=world.kiwi,
        title="满299赠小样",
        title_zh_hans="满299赠小样",
        title_en="Free sample over 299",
        gift_sku=sample,
        threshold=Decimal("299"),
        currency="CNY",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
    )
    user = UserFactory()
    cart_add(cart=cart_for_user(user=user), sku_id=world.honey.pk, quantity=1, destination="CN")
    context, page = signed_in(user, "zh-CN")
    try:
        # 1. One honey (199): the cart says what is left to spend for the gift.
        page.goto("/zh-hans/cart/")
        page.locator("#id_province").select_option("CN-ZJ")
        page.get_by_role("button", name="更新").first.click()
        expect(page.locator(".gift-short")).to_contain_text("即送赠品：蜂蜜小样 × 1")
        expect(page.locator(".gift-short")).to_contain_text("100.00")

        # 2. A second honey (398): the order reaches the threshold.
        add_from_product_page(page, "zh-hans", world.honey, "加入购物车")
        expect(page.locator(".gift-short")).to_have_count(0)
        expect(page.locator(".cart-group .gift")).to_contain_text("赠品")
        expect(page.locator(".cart-group .gift")).to_contain_text("蜂蜜小样")

        # 3. The checkout lists the gift at no charge.
        page.get_by_role("link", name="去结算").click()
        page.wait_for_url("**/zh-hans/checkout/")
        gift = page.locator('.checkout-group[data-mode="bonded"] tr.gift')
        expect(gift).to_contain_text("赠品")
        expect(gift).to_contain_text("蜂蜜小样")
        expect(gift).to_contain_text("免费")
        fill_hangzhou_address_zh(page, 44)
        page.get_by_role("button", name="提交订单并支付").click()

        # 4. Pay: the gift line is on the pay page and on the paid page.
        page.wait_for_url("**/zh-hans/checkout/*/pay/")
        expect(page.locator(".checkout-order li.gift")).to_contain_text("赠品")
        pay_with_card(page, "4242424242424242", "310012")
        page.wait_for_url("**/zh-hans/checkout/*/done/")
        expect(page.locator("h1")).to_have_text("谢谢：您的订单已支付")
        expect(page.locator(".checkout-order li.gift")).to_contain_text("蜂蜜小样")

        # 5. The order page shows it as 赠品.
        order = Checkout.objects.get(user=user).orders.get()
        page.goto(f"/zh-hans/account/orders/{order.number}/")
        expect(page.locator(".order-lines .badge.gift")).to_have_text("赠品")
        expect(page.locator(".order-lines")).to_contain_text("蜂蜜小样")
    finally:
        context.close()

    gift_line = order.lines.get(is_gift=True)
    assert (gift_line.sku_id, gift_line.quantity, gift_line.line_total) == (sample.pk, 1, 0)
    assert order.goods_total == Decimal("398.00")
    assert Stock.objects.get(sku=sample, warehouse=world.bonded).reserved == 1
