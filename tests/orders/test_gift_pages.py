"""Gifts with purchase on the shopper's pages: the cart tells what the order reaches or how
much more to spend, checkout shows the gift, the pay, done and order pages show the gift
line as a free gift (赠品), a gift that ran out is told, and the paid email marks it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from orders.services import cart_add, cart_for_user
from tests.orders.checkout_helpers import place, shopper_with
from tests.orders.test_checkout_gifts import gift_for, sample_of

pytestmark = pytest.mark.django_db


def browser_with(world, quantity):
    browser = Client()
    browser.post("/en/cart/destination/", {"country": "CN", "province": "CN-ZJ"})
    browser.post("/en/cart/add/", {"sku": world.honey.pk, "quantity": quantity})
    return browser


def test_the_cart_says_how_much_more_to_spend_then_shows_the_gift(world):
    gift = gift_for(world, sample_of(world), threshold="299")
    browser = browser_with(world, 1)  # 199: 100 short
    page = browser.get("/en/cart/").content.decode()
    assert f'class="gift-short" data-gift="gift:{gift.pk}"' in page
    assert "100.00" in page and "for a free gift: Honey sample × 1" in page
    browser.post("/en/cart/add/", {"sku": world.honey.pk, "quantity": 1})  # 398
    page = browser.get("/zh-hans/cart/").content.decode()
    assert 'class="gift-short"' not in page
    assert '赠品</span> <span translate="no">蜂蜜小样</span> × 1' in page


def test_checkout_shows_the_free_gift_in_chinese(world):
    gift_for(world, sample_of(world))
    user = shopper_with((world.honey, 2))[0]
    client = Client()
    client.force_login(user)
    client.post("/en/cart/destination/", {"country": "CN", "province": "CN-ZJ"})
    page = client.get("/zh-hans/checkout/").content.decode()
    assert 'class="gift"' in page and "赠品" in page and "蜂蜜小样" in page and "免费" in page


def test_the_pay_done_and_order_pages_show_the_gift_line_and_the_email_marks_it(
    world, localstripe, pay
):
    gift_for(world, sample_of(world))
    user, cart = shopper_with((world.honey, 2))
    checkout = place(user, cart, language="zh-hans")
    order = checkout.orders.get()
    client = Client()
    client.force_login(user)
    page = client.get(f"/zh-hans/checkout/{checkout.number}/pay/").content.decode()
    assert '<li class="gift"><span class="badge">赠品</span> <span translate="no">蜂蜜小样' in page
    mail.outbox.clear()
    pay(checkout)
    page = client.get(f"/zh-hans/checkout/{checkout.number}/done/").content.decode()
    assert "赠品" in page and "蜂蜜小样" in page
    page = client.get(f"/zh-hans/account/orders/{order.number}/").content.decode()
    assert '<span class="badge gift">赠品</span> <span translate="no">蜂蜜小样</span>' in page
    paid = [m for m in mail.outbox if order.number in m.subject]
    assert paid and "1 × 蜂蜜小样 (赠品)" in paid[0].body


def test_the_pay_page_tells_the_gift_ran_out(world):
    gift_for(world, sample_of(world, stocked=0))
    user, cart = shopper_with((world.honey, 2))
    checkout = place(user, cart)
    client = Client()
    client.force_login(user)
    page = client.get(f"/en/checkout/{checkout.number}/pay/").content.decode()
    order = checkout.orders.get()
    assert f"Sorry, the gift ran out: order {order.number} is placed without Honey sample." in page
    page = client.get(f"/zh-hans/checkout/{checkout.number}/pay/").content.decode()
    assert "抱歉，赠品已送完" in page


def test_the_cart_of_a_signed_in_shopper_shows_the_gift(world):
    gift_for(world, sample_of(world))
    user, cart = shopper_with((world.honey, 2))
    client = Client()
    client.force_login(user)
    cart_add(cart=cart_for_user(user=user), sku_id=world.balm.pk, quantity=1, destination="CN")
    page = client.get("/en/cart/").content.decode()
    assert page.count('class="gift"') == 1  # the bonded order reaches it, not the balm's
