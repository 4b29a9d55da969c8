"""Placing from the checkout page, the pay page and the return page, against localstripe: a
double submit places one checkout, the pay page carries Stripe.js with the CSP nonce and the
client secret, the card the page posts is confirmed, the return page shows the paid orders
or the card's reason; nobody else's checkout is reachable."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from orders.models import Checkout
from payments.testing import DECLINED, PAYS, test_payment_method
from tests.customs.conftest import make_id_number
from tests.factories import UserFactory
from tests.orders.test_checkout_pages import shopper_with_cart

pytestmark = pytest.mark.django_db(transaction=True)

CHECKOUT = "/en/checkout/"


def place_form(page: str, **extra) -> dict:
    """The checkout form as a browser would post it: the hidden key, the checked options."""
    data = {
        "action": "place",
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1),
        "address-country": "CN",
        "address-province": "CN-ZJ",
        "address-name": "Lin Xiaoyu",
        "address-phone": "13800138000",
        "address-city": "Hangzhou",
        "address-district": "Xihu",
        "address-lines": "90 Wensan Road",
        "address-postcode": "310012",
        "identity-name": "Lin Xiaoyu",
        "identity-id_number": make_id_number(51),
    }
    for name, value in re.findall(r'name="(ship-[^"]+)" value="([^"]+)" checked', page):
        data[name] = value
    data.update(extra)
    return data


def placed(world):
    user, client = shopper_with_cart(world)
    page = client.get(CHECKOUT).content.decode()
    form = place_form(page)
    first = client.post(CHECKOUT, form)
    again = client.post(CHECKOUT, form)  # a double click: same key
    assert first.status_code == again.status_code == 302
    assert first.url == again.url
    checkout = Checkout.objects.get(user=user)
    assert first.url == f"/en/checkout/{checkout.number}/pay/"
    return user, client, checkout


def test_double_submit_places_one_checkout_and_the_pay_page_has_stripe(world, localstripe):
    _, client, checkout = placed(world)
    assert checkout.orders.count() == 2 and checkout.currency == "CNY"
    response = client.get(f"/en/checkout/{checkout.number}/pay/")
    page = response.content.decode()
    nonce = re.search(r'<script src="[^"]*js\.stripe\.com/v3/" nonce="([^"]+)"', page).group(1)
    assert nonce in response["Content-Security-Policy"]
    assert localstripe.url in response["Content-Security-Policy"]
    assert re.search(r'data-secret="pi_\w+_secret_\w+"', page)
    assert page.count('class="checkout-order"') == 2
    assert "Your items are reserved until" in page


def test_the_card_the_page_posts_pays_and_the_return_page_shows_the_orders(world, localstripe):
    _, client, checkout = placed(world)
    pay = f"/en/checkout/{checkout.number}/pay/"
    client.get(pay)
    answer = client.post(pay, {"payment_method": test_payment_method(PAYS)}).json()
    assert answer == {"status": "succeeded"}
    page = client.get(f"/en/checkout/{checkout.number}/done/").content.decode()
    assert "Thank you: your orders are paid" in page
    assert page.count('data-status="paid"') >= 2  # the heading's line and each order
    checkout.refresh_from_db()
    assert checkout.status == Checkout.Status.PAID
    # paid: the pay page sends the shopper to the orders
    assert client.get(pay).url == f"/en/checkout/{checkout.number}/done/"


def test_a_declined_card_shows_its_reason_and_a_retry(world, localstripe):
    _, client, checkout = placed(world)
    pay = f"/en/checkout/{checkout.number}/pay/"
    client.get(pay)
    assert client.post(pay, {"payment_method": test_payment_method(DECLINED)}).json() == {
        "status": "failed"
    }
    page = client.get(f"/zh-hans/checkout/{checkout.number}/done/").content.decode()
    assert "支付未完成" in page
    assert 'data-status="failed"' in page and "拒" in page  # the decline, in Chinese
    assert f'href="/zh-hans/checkout/{checkout.number}/pay/"' in page
    # another card after the decline pays
    client.post(pay, {"payment_method": test_payment_method(PAYS)})
    checkout.refresh_from_db()
    assert checkout.status == Checkout.Status.PAID


def test_nobody_else_reaches_a_checkout(world, localstripe):
    _, _, checkout = placed(world)
    other = Client()
    other.force_login(UserFactory())
    for page in ("pay", "done"):
        assert other.get(f"/en/checkout/{checkout.number}/{page}/").status_code == 404
    assert Client().get(f"/en/checkout/{checkout.number}/pay/").status_code == 302  # log in
