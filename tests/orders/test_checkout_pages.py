"""The checkout page without JavaScript: sign-in required (and back after signing up), the
address fields per country, the customs identity for imports into China, each future order
with its shipping options and duties line by line, refusals with what to do; its queries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from customs.services.identities import buyer_identity_save
from customs.services.quota import quota_record_usage
from logistics.models import Warehouse
from orders.services import cart_add, cart_for_user
from tests.customs.conftest import make_id_number
from tests.factories import (
    ProductFactory,
    SKUFactory,
    StockFactory,
    UserFactory,
    WarehouseFactory,
)
from tests.querycounts import count_queries

pytestmark = pytest.mark.django_db

CHECKOUT = "/en/checkout/"
ZH_CHECKOUT = "/zh-hans/checkout/"


def shopper_with_cart(world, *, honey=1, serum=2, balm=0):
    user = UserFactory()
    cart = cart_for_user(user=user)
    for sku, quantity in ((world.honey, honey), (world.serum, serum), (world.balm, balm)):
        if quantity:
            cart_add(cart=cart, sku_id=sku.pk, quantity=quantity, destination="CN")
    client = Client()
    client.force_login(user)
    client.post("/en/cart/destination/", {"country": "CN", "province": "CN-ZJ"})
    return user, client


def add_export_stock(world):
    """Honey and serum also in a warehouse in China outside a bonded zone: export retail
    to the rest of the world."""
    domestic = WarehouseFactory(kind=Warehouse.Kind.DOMESTIC, country="CN")
    StockFactory(sku=world.honey, warehouse=domestic, on_hand=10)
    StockFactory(sku=world.serum, warehouse=domestic, on_hand=10)
    return domestic


def test_checkout_needs_sign_in_and_a_new_shopper_comes_back_after_signing_up(world):
    browser = Client()
    response = browser.get(CHECKOUT)
    assert response.status_code == 302
    assert response.url.startswith("/en/accounts/login/?next=/en/checkout/")
    login_page = browser.get(response.url).content.decode()
    assert 'href="/en/accounts/signup/?next=/en/checkout/"' in login_page
    signup_page = browser.get("/en/accounts/signup/?next=/en/checkout/").content.decode()
    assert 'name="next" value="/en/checkout/"' in signup_page
    response = browser.post(
        "/en/accounts/signup/",
        {
            "email": "new@example.com",
            "password1": "a-long-enough-Passw0rd",
            "password2": "a-long-enough-Passw0rd",
            "preferred_language": "en",
            "next": "/en/checkout/",
        },
    )
    assert response.status_code == 302 and response.url == "/en/checkout/"


def test_signup_does_not_send_anyone_to_another_site(db):
    response = Client().post(
        "/en/accounts/signup/",
        {
            "email": "new@example.com",
            "password1": "a-long-enough-Passw0rd",
            "password2": "a-long-enough-Passw0rd",
            "preferred_language": "en",
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302 and response.url == "/en/"


def test_empty_cart_goes_back_to_the_cart(world):
    client = Client()
    client.force_login(UserFactory())
    response = client.get(CHECKOUT)
    assert response.status_code == 302 and response.url == "/en/cart/"


def test_chinese_checkout_shows_each_order_with_shipping_duties_and_identity(world):
    _, client = shopper_with_cart(world)
    page = client.get(ZH_CHECKOUT).content.decode()
    # China: province, city, district, the mobile hint; the customs identity
    for field in ("province", "city", "district", "lines", "postcode", "phone"):
        assert f'name="address-{field}"' in page
    assert "11 位手机号码" in page
    assert 'name="identity-id_number"' in page
    # two orders: bonded honey, direct-mail serum; radios with the cheapest checked
    groups = re.findall(
        r'<article class="checkout-group[^"]*" data-group="([^"]+)" data-mode="(\w+)"', page
    )
    assert sorted(mode for _, mode in groups) == ["bonded", "direct"]
    for key, _mode in groups:
        radios = re.findall(rf'name="ship-{key}" value="([^"]+)"( checked)?', page)
        assert radios and radios[0][1] == " checked"
        assert sum(1 for _, checked in radios if checked) == 1
    # duties line by line, with the regime's name and the taxes
    assert page.count('class="duty-line"') == 2
    assert "跨境电商零售进口" in page
    assert "增值税" in page
    assert "应付总额" in page
    assert 'name="idempotency_key" value="' in page


def test_another_shipping_option_is_kept_and_priced(world):
    _, client = shopper_with_cart(world)
    page = client.get(CHECKOUT).content.decode()
    key, _mode = re.search(r'data-group="([^"]+)" data-mode="(direct)"', page).groups()
    codes = re.findall(rf'name="ship-{key}" value="([^"]+)"', page)
    assert len(codes) == 2  # EMS direct mail, DHL
    response = client.post(
        CHECKOUT,
        {
            "action": "update",
            "address-country": "CN",
            "address-province": "CN-ZJ",
            f"ship-{key}": codes[-1],
        },
    )
    page = response.content.decode()
    assert re.search(rf'name="ship-{key}" value="{codes[-1]}" checked', page)
    assert not re.search(rf'name="ship-{key}" value="{codes[0]}" checked', page)


def test_european_address_has_a_postcode_ioss_vat_and_no_identity(world):
    add_export_stock(world)
    _, client = shopper_with_cart(world)
    client.cookies["silkway_currency"] = "USD"
    response = client.post(CHECKOUT, {"action": "update", "address-country": "FR"})
    page = response.content.decode()
    assert 'name="address-postcode"' in page and "For example 75001" in page
    assert 'name="address-province"' not in page
    assert 'name="identity-id_number"' not in page
    assert page.count('data-mode="export_retail"') == 2
    assert "IOSS" in page and "VAT" in page
    assert "$" in re.search(r'<p class="total">(.*?)</p>', page, re.S).group(1)
    page = client.post(
        CHECKOUT,
        {"action": "place", "address-country": "FR", "address-postcode": "7500"},
    ).content.decode()
    assert "e.g. 75001" in page


def test_address_rules_per_country_are_shown_on_their_fields(world):
    _, client = shopper_with_cart(world)
    page = client.post(
        CHECKOUT,
        {
            "action": "place",
            "address-country": "CN",
            "address-province": "CN-ZJ",
            "address-name": "张三",
            "address-phone": "12345",
            "address-city": "杭州",
            "address-district": "",
            "address-lines": "西湖区文三路 1 号",
            "address-postcode": "100000",
            "identity-name": "张三",
            "identity-id_number": "110101199003071235",
        },
    ).content.decode()
    assert "Enter an 11-digit mainland mobile number" in page
    assert "This postal code is not in the province you chose." in page
    assert "A Chinese address needs its district or county." in page
    assert "check" in page.lower()  # the identity number's check character


def test_yearly_limit_refusal_says_why_and_what_to_do(world):
    user, client = shopper_with_cart(world, honey=10, serum=0)
    number = make_id_number(7)
    identity = buyer_identity_save(user=user, name="张三", id_number=number)
    quota_record_usage(
        id_number=number,
        year=timezone.localdate().year,
        amount=Decimal("25900"),
        reference="EARLIER-1",
    )
    page = client.get(CHECKOUT).content.decode()
    assert identity.id_masked in page and number not in page
    assert "yearly limit" in page
    assert "fits what is left of your yearly allowance" in page
    assert re.search(r'value="place" class="button" disabled', page)


def test_checkout_page_queries_are_pinned(world):
    """Cart (3), thresholds (1), one per order (its warehouse), the saved identities and the
    audited read of the chosen one, session and user, and the promotions' preview (the
    shopper's flash admissions, their claimed coupons, the automatic promotions, the gifts
    with purchase in force: one per listing currency); not one per line."""
    user, client = shopper_with_cart(world)
    buyer_identity_save(user=user, name="张三", id_number=make_id_number(3))
    cart = cart_for_user(user=user)

    def grow():  # another Tokyo Beauty SKU in Auckland: same order, one more line
        sku = SKUFactory(product=ProductFactory(merchant=world.tokyo), hs_code="3304990099")
        StockFactory(sku=sku, warehouse=world.auckland, on_hand=5)
        cart_add(cart=cart, sku_id=sku.pk, quantity=1, destination="CN")

    client.get(CHECKOUT)  # warm the shared caches (FX rates, the header's cart count)
    one = count_queries(client, CHECKOUT)
    for _ in range(3):
        grow()
    client.get(CHECKOUT)
    four = count_queries(client, CHECKOUT)
    assert four <= one <= 20, (one, four)  # 19 + the gifts in force (one query)
