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
from logistics.models import Warehouse
from orders.models import Checkout, Order
from orders.services import cart_add, cart_for_user
from tests.customs.conftest import make_id_number
from tests.factories import StockFactory, UserFactory, WarehouseFactory
from tests.orders.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "silk-road-passphrase-2026"


def add_from_product_page(page, lang: str, sku, button: str) -> None:
    page.goto(f"/{lang}/p/{sku.product_id}/{sku.product.slug}/")
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"**/{lang}/cart/")


def sign_up_on_the_way(page, lang: str, email: str, words: tuple[str, str, str]) -> None:
    """From the log-in page the checkout sent us to: the sign-up link, the form, and back to
    the checkout (``words``: the link, the email label, the button, in ``lang``)."""
    link, email_label, button = words
    page.wait_for_url(f"**/{lang}/accounts/login/**")
    page.get_by_role("link", name=link).click()
    page.get_by_label(email_label).fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"**/{lang}/checkout/")


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


def fill_hangzhou_address_zh(page, serial: int) -> None:
    """The Chinese checkout form's address in Hangzhou and the payer's customs identity
    (林小雨, a well-formed identity number of ``serial``)."""
    page.get_by_label("收件人姓名").fill("林小雨")
    page.get_by_label("电话", exact=True).fill("13800138000")
    page.get_by_label("城市").fill("杭州市")
    page.get_by_label("区/县").fill("西湖区")
    page.get_by_label("详细地址").fill("文三路 90 号 1 幢 301 室")
    page.get_by_label("邮政编码").fill("310012")
    page.get_by_label("身份证上的姓名").fill("林小雨")
    page.get_by_label("身份证号码").fill(make_id_number(serial, region="330106"))


@pytest.mark.django_db(transaction=True)
def test_new_chinese_shopper_buys_from_two_merchants_and_pays_once(page, screenshot, localstripe):
    world = make_world()
    # 1. Before signing up: a bonded honey (Kiwi Nature) and a direct-mail serum (Tokyo Beauty).
    add_from_product_page(page, "zh-hans", world.honey, "加入购物车")
    add_from_product_page(page, "zh-hans", world.serum, "加入购物车")
    page.locator("#id_province").select_option("CN-ZJ")
    page.get_by_role("button", name="更新").first.click()
    page.get_by_role("link", name="去结算").click()

    # 2. The checkout asks for an account; a new shopper signs up and comes back.
    sign_up_on_the_way(page, "zh-hans", "lin@example.cn", ("创建账户", "电子邮箱", "注册"))

    # 3. Two orders, each with its options (cheapest chosen) and its duties line by line.
    bonded = page.locator('.checkout-group[data-mode="bonded"]')
    direct = page.locator('.checkout-group[data-mode="direct"]')
    expect(bonded.locator("h3")).to_contain_text("奇异自然")
    expect(direct.locator("h3")).to_contain_text("东京美妆")
    for group in (bonded, direct):
        expect(group.locator(".shipping-option input:checked")).to_have_count(1)
        expect(group.locator(".regime")).to_contain_text("跨境电商零售进口")
        expect(group.locator(".duty-line")).to_have_count(1)
        expect(group.locator(".duty-line")).to_contain_text("增值税")
        expect(group.locator(".group-total")).to_contain_text("¥")
    expect(page.locator(".checkout-total .total")).to_contain_text("¥")

    # 4. Address with China's fields, the payer's identity; place the orders.
    fill_hangzhou_address_zh(page, 21)
    screenshot("checkout-zh")
    page.get_by_role("button", name="提交订单并支付").click()

    # 5. The pay page: both orders, the total, the reservation's end; pay with 4242…
    page.wait_for_url("**/zh-hans/checkout/*/pay/")
    expect(page.locator(".checkout-order")).to_have_count(2)
    expect(page.locator(".reserved-until")).to_contain_text("保留至")
    pay_with_card(page, "4242424242424242", "310012")

    # 6. Paid: two orders, each with its shipping and duties.
    page.wait_for_url("**/zh-hans/checkout/*/done/")
    expect(page.locator("h1")).to_have_text("谢谢：您的订单已支付")
    orders = page.locator(".checkout-order")
    expect(orders).to_have_count(2)
    for i in range(2):
        expect(orders.nth(i).locator(".order-shipping")).to_contain_text("¥")
        expect(orders.nth(i).locator(".order-duties")).to_contain_text("¥")
    screenshot("paid-zh")
    checkout = Checkout.objects.get()
    assert checkout.status == Checkout.Status.PAID and checkout.currency == "CNY"
    assert checkout.payer_id_masked and checkout.address["province"] == "CN-ZJ"
    assert sorted(Order.objects.values_list("clearance_mode", flat=True)) == ["bonded", "direct"]
    assert set(Order.objects.values_list("status", flat=True)) == {"paid"}


@pytest.mark.django_db(transaction=True)
def test_english_shopper_pays_in_usd_to_france_with_ioss_vat(page, screenshot, localstripe):
    world = make_world()
    domestic = WarehouseFactory(kind=Warehouse.Kind.DOMESTIC, country="CN")
    StockFactory(sku=world.honey, warehouse=domestic, on_hand=10)
    StockFactory(sku=world.serum, warehouse=domestic, on_hand=10)
    page.goto("/en/")
    page.locator(".currency-switch summary").click()
    page.locator('.currency-switch a[data-currency="USD"]').click()
    add_from_product_page(page, "en", world.honey, "Add to cart")
    add_from_product_page(page, "en", world.serum, "Add to cart")
    page.locator("#id_country").select_option("FR")
    page.get_by_role("button", name="Update").first.click()
    page.get_by_role("link", name="Check out").click()
    sign_up_on_the_way(
        page, "en", "claire@example.fr", ("Create an account", "Email address", "Sign up")
    )

    # France: no province, no customs identity, a French postcode; export retail from China
    expect(page.locator('[name="address-province"]')).to_have_count(0)
    expect(page.locator('[name="identity-id_number"]')).to_have_count(0)
    groups = page.locator('.checkout-group[data-mode="export_retail"]')
    expect(groups).to_have_count(2)
    for i in range(2):
        expect(groups.nth(i).locator(".regime")).to_contain_text("IOSS")
        expect(groups.nth(i).locator(".duty-line")).to_contain_text("VAT")
        expect(groups.nth(i).locator(".shipping-option").first).to_contain_text("$")
    expect(page.locator(".checkout-total .total")).to_contain_text("$")

    page.get_by_label("Recipient's name").fill("Claire Martin")
    page.get_by_label("Phone", exact=True).fill("+33 6 12 34 56 78")
    page.get_by_label("City").fill("Paris")
    page.get_by_label("Street address").fill("12 rue de Rivoli")
    page.get_by_label("Postal code").fill("7500")
    page.get_by_role("button", name="Place orders and pay").click()
    expect(
        page.get_by_text("Enter the postal code as it is written there, e.g. 75001.")
    ).to_be_visible()
    page.get_by_label("Postal code").fill("75001")
    page.get_by_role("button", name="Place orders and pay").click()

    page.wait_for_url("**/en/checkout/*/pay/")
    expect(page.locator(".total")).to_contain_text("$")
    pay_with_card(page, "4242424242424242", "75001")
    page.wait_for_url("**/en/checkout/*/done/")
    expect(page.locator("h1")).to_have_text("Thank you: your orders are paid")
    orders = page.locator(".checkout-order")
    expect(orders).to_have_count(2)
    for i in range(2):
        expect(orders.nth(i).locator(".order-duties")).to_contain_text("$")
    screenshot("paid-en-usd")
    checkout = Checkout.objects.get()
    assert checkout.currency == "USD" and checkout.status == Checkout.Status.PAID
    assert checkout.address["country"] == "FR" and not checkout.payer_id_masked


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
def test_declined_card_shows_its_reason_and_a_retry(signed_in, localstripe):
    world = make_world()
    user = chinese_shopper_with_cart(world, honey=1)
    buyer_identity_save(user=user, name="Lin Xiaoyu", id_number=make_id_number(31))
    context, page = signed_in(user, "en-US")
    page.goto("/en/checkout/")
    fill_chinese_address(page)
    expect(page.locator(".saved-identities")).to_contain_text("*")
    page.get_by_role("button", name="Place orders and pay").click()
    page.wait_for_url("**/en/checkout/*/pay/")
    pay_with_card(page, "4000000000000341", "310012")
    page.wait_for_url("**/en/checkout/*/done/")
    expect(page.locator("h1")).to_have_text("Payment not completed")
    expect(page.locator('[data-status="failed"]')).to_contain_text("Your card was declined.")
    expect(page.get_by_role("link", name="Try again")).to_be_visible()
    assert Checkout.objects.get().status == Checkout.Status.AWAITING_PAYMENT
    context.close()


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
