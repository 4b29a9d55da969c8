"""In a real browser, in Chinese: the flash-sale page counts down to the end of a sale on
now, the product page shows the flash price with its own countdown, "立即抢购" admits the
shopper and puts the unit in their cart, shown there at the flash price, a second shopper
is told "sold out" once the units are gone, and the checkout that follows charges the flash
price. Without JavaScript the countdown is the sale's absolute end time."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from marketing.flash.services import flash_sale_schedule
from marketing.models import FlashAdmission
from orders.services import cart_for_user
from tests.factories import UserFactory
from tests.orders.checkout_helpers import place
from tests.orders.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CLOCK = re.compile(r"\d\d:\d\d:\d\d")


@pytest.mark.django_db(transaction=True)
def test_a_shopper_snaps_up_a_flash_sale_unit_in_chinese(signed_in, live_server):
    world = make_world()
    now = timezone.now()
    sale = flash_sale_schedule(
        merchant=world.honey.merchant,
        by=None,
        title="双十一蜂蜜秒杀",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=2),
        per_shopper_limit=1,
        items=[{"sku": world.honey, "flash_price": Decimal("99.00"), "quantity": 1}],
    )
    item = sale.items.get()
    shopper, late = UserFactory(), UserFactory()

    context, page = signed_in(shopper, locale="zh-CN")
    try:
        page.goto("/zh-hans/flash/")
        expect(page.get_by_role("heading", name="限时秒杀", exact=True)).to_be_visible()
        countdown = page.locator(f'[data-sale="{sale.pk}"] .countdown .remaining')
        expect(countdown).to_have_text(CLOCK)
        first = countdown.inner_text()
        page.wait_for_timeout(1500)
        assert countdown.inner_text() != first  # it ticks
        expect(page.locator(f'[data-item="{item.pk}"] [data-left]')).to_have_text("1")

        page.get_by_role("link", name="麦卢卡蜂蜜").first.click()
        offer = page.locator(".flash-offer")
        expect(offer).to_contain_text("双十一蜂蜜秒杀")
        expect(offer.locator(".flash-price")).to_contain_text("99.00")
        expect(offer.locator(".countdown .remaining")).to_have_text(CLOCK)
        offer.get_by_role("button", name="立即抢购").click()
        # Buy now ends in the cart, the unit in it at the flash price
        expect(page).to_have_url(re.compile(r"/zh-hans/cart/$"))
        expect(page.locator(".messages")).to_contain_text("您已以秒杀价抢到 1 件，已加入购物车")
        line = page.locator(f'tr.cart-line[data-sku="{world.honey.pk}"]')
        expect(line.locator(".flash-held")).to_contain_text("其中 1 件按秒杀价")
        expect(line.locator(".flash-held")).to_contain_text("99.00")
    finally:
        context.close()
    assert FlashAdmission.objects.get(user=shopper).status == FlashAdmission.Status.ADMITTED

    context, page = signed_in(late, locale="zh-CN")
    try:
        page.goto(f"/zh-hans/p/{world.honey.product_id}/{world.honey.product.slug}/")
        expect(page.locator(".flash-offer")).to_contain_text("已抢光")
        expect(page.locator(".flash-offer").get_by_role("button", name="立即抢购")).to_have_count(0)
    finally:
        context.close()

    # the checkout after it charges the flash price for the admitted unit
    checkout = place(shopper, cart_for_user(user=shopper), key="flash")
    line = checkout.orders.get().lines.get()
    assert line.discount == Decimal("100.00")  # 199.00 - 99.00
    assert FlashAdmission.objects.get(user=shopper).status == FlashAdmission.Status.USED


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_countdown_is_the_absolute_end_time(signed_in, live_server):
    world = make_world()
    now = timezone.now()
    sale = flash_sale_schedule(
        merchant=world.honey.merchant,
        by=None,
        title="双十一蜂蜜秒杀",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=2),
        per_shopper_limit=1,
        items=[{"sku": world.honey, "flash_price": Decimal("99.00"), "quantity": 3}],
    )
    context, page = signed_in(UserFactory(), locale="zh-CN", java_script_enabled=False)
    try:
        page.goto(f"/zh-hans/p/{world.honey.product_id}/{world.honey.product.slug}/")
        ends = page.locator(".flash-offer .countdown time")
        expect(ends).to_have_attribute("datetime", timezone.localtime(sale.ends_at).isoformat())
        expect(ends).to_contain_text(str(timezone.localtime(sale.ends_at).year))
        expect(page.locator(".flash-offer .countdown .remaining")).to_have_text("")
    finally:
        context.close()
