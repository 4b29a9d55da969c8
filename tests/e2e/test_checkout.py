"""In a real browser, the whole purchase: a new shopper builds a cart from two merchants,
signs up on the way to the checkout, gives the address (and for China the customs identity),
sees each order's shipping and duties line by line, pays with a test card in Stripe's card
form (localstripe's Stripe.js and API: the `localstripe` fixture) and sees the paid orders.
And the ways it does not go through: a declined card, a yearly-limit refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customs.services.identities import buyer_identity_save
from customs.services.quota import quota_record_usage
from orders.services import cart_add, cart_for_user
from tests.customs.conftest import make_id_number
from tests.factories import UserFactory
from tests.orders.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "silk-road-passphrase-2026"


def add_from_product_page(page, lang: str, sku, button: str) -> None:
    page.goto(f"/{lang}/p/{sku.product_id}/{sku.product.slug}/")
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"**/{lang}/cart/")


def pay_with_card(page, number: str, postcode: str) -> None:
    """Type a test card into the card Element (localstripe's fields) and pay."""
    element = page.locator("#card-element")
    expect(element.locator("input").first).to_be_visible()
    element.locator('input[placeholder="number"]').fill(number)
    element.locator('input[placeholder="exp_month"]').fill("12")
    element.locator('input[placeholder="exp_year"]').fill("34")
    element.locator('input[placeholder="cvc"]').fill("123")
    element.locator('input[placeholder="postal_code"]').fill(postcode)
    page.locator("#pay-form button[type=submit]").click()


def chinese_shopper_with_cart(world, *, honey: int):
    user = UserFactory()
    cart = cart_for_user(user=user)
    cart_add(cart=cart, sku_id=world.honey.pk, quantity=honey, destination="CN")
    return user


def fill_chinese_address(page) -> None:
    page.locator("#id_address-province").select_option("CN-ZJ")
    page.get_by_role("button", name="Update shipping and duties").click()
    page.get_by_label("Recipient's name").fill("Lin Xiaoyu")
    page.get_by_label("Phone", exact=True).fill("13800138000")
    page.get_by_label("City").fill("Hangzhou")
    page.get_by_label("District").fill("Xihu")
    page.get_by_label("Street address").fill("90 Wensan Road")


@pytest.mark.django_db(transaction=True)
def test_yearly_limit_refusal_says_why_and_what_to_do(signed_in):
    world = make_world()
    user = chinese_shopper_with_cart(world, honey=5)
    number = make_id_number(41)
    buyer_identity_save(user=user, name="Lin Xiaoyu", id_number=number)
    quota_record_usage(
        id_number=number,
        year=timezone.localdate().year,
        amount=Decimal("25500.00"),
        reference="EARLIER-ORDER",
    )
    context, page = signed_in(user, "en-US")
    page.goto("/en/checkout/")
    fill_chinese_address(page)
    refusal = page.locator('.checkout-group[data-mode="bonded"] .refusal')
    expect(refusal.locator(".problem")).to_contain_text("yearly limit")
    expect(refusal.locator(".problem")).to_contain_text("You have 500.00 CNY left this year")
    expect(refusal.locator(".what-to-do")).to_contain_text(
        "fits what is left of your yearly allowance"
    )
    expect(refusal.get_by_role("link", name="Change your cart")).to_be_visible()
    expect(page.get_by_role("button", name="Place orders and pay")).to_be_disabled()
    context.close()
