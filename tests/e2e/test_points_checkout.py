"""In a real browser: a shopper uses a coupon (the platform's automatic 满299减30) and points
in one checkout, is told at the field why the taxes will not fall, and sees on the pay page
the duties of the same order without points: the points did not lower them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from marketing.points.services import EarnLine, points_balance, points_earn
from orders.models import Checkout
from orders.services import cart_add, cart_for_user
from tests.customs.conftest import make_id_number
from tests.factories import UserFactory
from tests.marketing.conftest import spend_and_save_299_30
from tests.orders.checkout_helpers import place, shopper_with
from tests.orders.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
def test_coupon_and_points_in_one_checkout_leave_the_duties_as_they_were(
    signed_in, live_server, localstripe
):
    world = make_world()
    spend_and_save_299_30()
    # the same order with the coupon and without points, for the duties to compare with
    other, other_cart = shopper_with((world.honey, 2))
    without_points = place(other, other_cart, key="ref").orders.get()
    assert without_points.discount_total == Decimal("30.00")

    user = UserFactory()
    points_earn(
        user_id=user.pk,
        order_number="SW-EARLIER",
        lines=[EarnLine(world.kiwi.pk, None, Decimal(5000))],
        kept=Decimal(1),
    )
    cart_add(cart=cart_for_user(user=user), sku_id=world.honey.pk, quantity=2, destination="CN")
    context, page = signed_in(user)
    try:
        page.goto("/en/cart/")
        page.locator("#id_province").select_option("CN-ZJ")
        page.get_by_role("button", name="Update").first.click()
        page.get_by_role("link", name="Check out").click()
        page.wait_for_url("**/en/checkout/")

        points = page.get_by_label("Points to redeem")
        expect(page.locator(".checkout-points")).to_contain_text("You have 5000 points")
        expect(page.locator("#points-why")).to_contain_text("the duties and taxes do not fall")
        points.fill("3000")
        # the preview prices them before placing: the deduction shown, the duties unchanged
        page.get_by_role("button", name="Apply points").click()
        expect(page.locator(".group-points")).to_contain_text("30.00")
        expect(page.locator(".group-points")).to_contain_text("do not fall")
        expect(page.locator(".checkout-total .total")).to_contain_text(
            f"{without_points.total - Decimal('30.00')}"
        )
        page.get_by_label("Recipient's name").fill("Lin Xiaoyu")
        page.get_by_label("Phone", exact=True).fill("13800138000")
        page.get_by_label("City").fill("Hangzhou")
        page.get_by_label("District").fill("Xihu")
        page.get_by_label("Street address").fill("90 Wensan Road")
        page.get_by_label("Postal code").fill("310012")
        page.get_by_label("Name on the identity card").fill("Lin Xiaoyu")
        page.get_by_label("Identity card number").fill(make_id_number(33, region="330106"))
        page.get_by_role("button", name="Place orders and pay").click()

        page.wait_for_url("**/en/checkout/*/pay/")
        order = page.locator(".checkout-order")
        expect(order).to_have_count(1)
        # 30 off by the coupon, 30.00 by 3,000 points
        expect(order.locator(".order-discount")).to_contain_text("60.00")
        expect(order.locator(".order-duties")).to_contain_text(f"{without_points.duty_total}")
    finally:
        context.close()

    placed = Checkout.objects.get(user=user).orders.get()
    assert placed.discount_total == Decimal("60.00")
    assert placed.duty_total == without_points.duty_total  # the points did not lower them
    assert placed.total == without_points.total - Decimal("30.00")
    assert points_balance(user.pk) == 2000
