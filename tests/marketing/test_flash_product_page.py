"""The product page's flash-sale box (catalog.offers → marketing.views.product_flash_html):
the flash price with its countdown inside the window, "starts" before it, units sold and
left from the gate, "sold out", and "Buy now" through the admission. The page is in the
whole-page cache; the box is a live slot made from this response's clock, so neither edge
of the window is served stale, and scheduling, editing and cancelling show at once."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketing.flash.services import (
    flash_admit,
    flash_sale_cancel,
    flash_sale_edit,
    flash_sale_schedule,
)
from marketing.models import FlashAdmission
from orders.services import cart_for_user
from tests.marketing.conftest import make_scene
from tests.orders.checkout_helpers import place
from tests.querycounts import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """The product templates rendered (a page served from the page cache renders none)."""
    from catalog.views import storefront as storefront_views

    seen: list[str] = []
    real = storefront_views.render

    def spy(request, template, *args, **kwargs):
        seen.append(template)
        return real(request, template, *args, **kwargs)

    monkeypatch.setattr(storefront_views, "render", spy)
    return seen


def product_url(sku) -> str:
    return reverse("storefront:product", args=[sku.product_id, sku.product.slug])


def box(html: str) -> str:
    """The flash-sale box of a product page ("" when there is none)."""
    start = html.find('<section class="flash-offer"')
    return "" if start < 0 else html[start : html.index("</section>", start)]


def test_a_live_sale_shows_its_price_countdown_and_progress(client, shoppers):
    scene = make_scene(units=5)
    flash_admit(user=shoppers[0], item=scene.item, quantity=2)

    offer = box(client.get(product_url(scene.honey)).content.decode())

    assert "Double 11 honey" in offer
    assert "99.00" in offer and "199.00" in offer
    assert 'class="countdown"' in offer and "Ends" in offer
    assert f'datetime="{timezone.localtime(scene.sale.ends_at).isoformat()}"' in offer
    assert "2 of 5 sold" in offer and "<span data-left>3</span>" in offer
    assert "Buy now" in offer


def test_an_upcoming_sale_says_when_it_starts_and_sells_nothing_yet(client):
    scene = make_scene(starts_in=timedelta(hours=1))
    offer = box(client.get(product_url(scene.honey)).content.decode())
    assert "Starts" in offer and "Not started yet" in offer
    assert "Buy now" not in offer


def test_a_sold_out_sale_says_so(client, shoppers):
    scene = make_scene(units=2, limit=2)
    flash_admit(user=shoppers[0], item=scene.item, quantity=2)
    offer = box(client.get(product_url(scene.honey)).content.decode())
    assert "Sold out" in offer and "Buy now" not in offer


def test_the_cached_page_follows_the_window_edges(client, monkeypatch, renders):
    """One cached copy of the page, read before the start, inside the window and after the
    end: the box is made from each response's clock."""
    scene = make_scene(starts_in=timedelta(hours=1))
    url = product_url(scene.honey)
    start, end = scene.sale.starts_at, scene.sale.ends_at

    def at(moment) -> str:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return box(client.get(url).content.decode())

    assert "Not started yet" in at(start - timedelta(seconds=1))
    assert "Buy now" in at(start)
    assert "Buy now" in at(end - timedelta(seconds=1))
    assert at(end) == ""
    assert renders == ["storefront/product.html"]  # one render: the rest came from the cache


def test_scheduling_editing_and_cancelling_show_at_once_on_the_cached_page(
    client, django_capture_on_commit_callbacks
):
    scene = make_scene(starts_in=timedelta(hours=1))
    url = product_url(scene.honey)
    assert "Double 11 honey" in box(client.get(url).content.decode())  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        flash_sale_edit(
            sale=scene.sale,
            by=scene.membership.user,
            title="Honey hour",
            starts_at=scene.sale.starts_at,
            ends_at=scene.sale.ends_at,
            per_shopper_limit=1,
            items=[{"sku": scene.honey, "flash_price": Decimal("89.00"), "quantity": 3}],
        )
    offer = box(client.get(url).content.decode())
    assert "Honey hour" in offer and "89.00" in offer
    with django_capture_on_commit_callbacks(execute=True):
        flash_sale_cancel(sale=scene.sale, by=scene.membership.user)
    assert box(client.get(url).content.decode()) == ""
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        flash_sale_schedule(
            merchant=scene.honey.merchant,
            by=scene.membership.user,
            title="Second chance",
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=1),
            per_shopper_limit=1,
            items=[{"sku": scene.honey, "flash_price": Decimal("79.00"), "quantity": 1}],
        )
    assert "Second chance" in box(client.get(url).content.decode())


def test_a_product_page_without_a_sale_reads_nothing_more(
    client, scene, django_assert_max_num_queries
):
    from tests.factories import SKUFactory

    other = SKUFactory(product__merchant=scene.honey.merchant)
    url = product_url(other)
    client.get(url)
    with django_assert_max_num_queries(0):  # cached page, cached stock and sale index
        html = client.get(url).content.decode()
    assert box(html) == ""


def test_a_cached_product_page_with_a_live_sale_costs_no_query(
    client, scene, django_assert_max_num_queries
):
    url = product_url(scene.honey)
    client.get(url)
    with django_assert_max_num_queries(0):
        assert "Buy now" in box(client.get(url).content.decode())


@pytest.fixture
def honey_sale(world):
    """The orders tests' honey (¥199.00, bonded stock that ships to Hangzhou) on a flash sale
    at ¥99.00 now, 5 units, at most 2 per shopper."""
    now = timezone.now()
    sale = flash_sale_schedule(
        merchant=world.honey.merchant,
        by=None,
        title="Double 11 honey",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=2),
        per_shopper_limit=2,
        items=[{"sku": world.honey, "flash_price": Decimal("99.00"), "quantity": 5}],
    )
    return world.honey, sale.items.get()


def to_hangzhou(client):
    """The shopper's cart ships to China (the honey is in a bonded warehouse there)."""
    client.post("/en/cart/destination/", {"country": "CN", "province": "CN-ZJ"})
    return client


def buy_now_form(client, sku) -> tuple[str, str]:
    """The product page's Buy now form as the shopper gets it: its action and its ``next``."""
    html = box(client.get(product_url(sku)).content.decode())
    action = re.search(r'<form method="post" action="([^"]+)" class="flash-buy">', html)
    nxt = re.search(r'name="next" value="([^"]+)"', html)
    assert action and nxt, "no Buy now form on the page"
    return action.group(1), nxt.group(1)


def test_buy_now_puts_the_admitted_units_in_the_cart_at_the_flash_price(
    client_for, honey_sale, shoppers
):
    """Honey at ¥199.00, flash price ¥99.00: the shopper clicks Buy now for 2 and lands on
    the cart with the 2 jars in it, shown at the flash price; the checkout charges it."""
    honey, _item = honey_sale
    shopper = to_hangzhou(client_for(shoppers[0]))
    action, nxt = buy_now_form(shopper, honey)

    response = shopper.post(action, {"quantity": 2, "next": nxt}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("orders:cart")
    page = response.content.decode()
    assert "You got 2 at the flash price: they are in your cart." in page
    line = re.search(rf'<tr class="cart-line[^"]*"[^>]*data-sku="{honey.pk}">(.*?)</tr>',
                     page, re.S)  # fmt: skip
    assert line, "the honey is not in the cart"
    assert 'value="2"' in line.group(1)  # the quantity field
    assert 'data-flash-units="2"' in line.group(1) and "99.00" in line.group(1)
    assert "2 units at the flash price" in line.group(1)
    admission = FlashAdmission.objects.get(user=shoppers[0])
    assert (admission.quantity, admission.status) == (2, FlashAdmission.Status.ADMITTED)
    checkout = place(shoppers[0], cart_for_user(user=shoppers[0]), key="buy-now")
    assert checkout.orders.get().lines.get().discount == Decimal("200.00")  # 2 × (199 − 99)


def test_buy_now_in_chinese_shows_the_cart_with_the_flash_price(client_for, honey_sale, shoppers):
    honey, _item = honey_sale
    shopper = to_hangzhou(client_for(shoppers[0]))
    zh = f"/zh-hans/p/{honey.product_id}/{honey.product.slug}/"
    html = box(shopper.get(zh).content.decode())
    action = re.search(r'action="([^"]+)" class="flash-buy"', html).group(1)
    assert action.startswith("/zh-hans/cart/")

    page = shopper.post(action, {"quantity": 1, "next": zh}, follow=True).content.decode()

    assert "您已以秒杀价抢到 1 件，已加入购物车。" in page
    assert "其中 1 件按秒杀价" in page


def test_buy_now_over_the_cap_stays_on_the_product_page_and_says_why(
    client_for, honey_sale, shoppers
):
    honey, _item = honey_sale
    shopper = to_hangzhou(client_for(shoppers[0]))
    action, url = buy_now_form(shopper, honey)
    shopper.post(action, {"quantity": 2, "next": url})
    response = shopper.post(action, {"quantity": 1, "next": url}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "at most 2" in response.content.decode()
    # the cart holds the 2 admitted, not a third at the full price
    assert cart_for_user(user=shoppers[0]).lines.get().quantity == 2


def test_buy_now_to_a_country_the_item_cannot_reach_says_why_and_keeps_the_units_held(
    client_for, honey_sale, shoppers
):
    honey, _item = honey_sale
    shopper = client_for(shoppers[0])
    shopper.post("/en/cart/destination/", {"country": "US"})
    action, url = buy_now_form(shopper, honey)

    response = shopper.post(action, {"quantity": 1, "next": url}, follow=True)

    assert response.redirect_chain[-1][0] == url
    page = response.content.decode()
    assert "it can only be delivered in China" in page
    assert "Your 1 flash-price units are held for you until" in page
    assert FlashAdmission.objects.get(user=shoppers[0]).status == FlashAdmission.Status.ADMITTED
    assert not cart_for_user(user=shoppers[0]).lines.exists()


def test_buy_now_before_the_start_says_it_has_not_started(client_for, shoppers):
    scene = make_scene(starts_in=timedelta(hours=1))
    response = client_for(shoppers[0]).post(
        reverse("orders:buy_now", args=[scene.item.pk]),
        {"quantity": 1, "next": product_url(scene.honey)},
        follow=True,
    )
    assert "This flash sale is not on now." in response.content.decode()
    assert not FlashAdmission.objects.exists()
    assert not cart_for_user(user=shoppers[0]).lines.exists()


def test_buy_now_sold_out_in_chinese(client_for, shoppers):
    scene = make_scene(units=1, limit=1)
    flash_admit(user=shoppers[0], item=scene.item, quantity=1)
    zh = f"/zh-hans/p/{scene.honey.product_id}/{scene.honey.product.slug}/"
    response = client_for(shoppers[1]).post(
        f"/zh-hans/cart/flash/{scene.item.pk}/buy/", {"quantity": 1, "next": zh}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == zh
    assert "已抢光" in html
    assert not cart_for_user(user=shoppers[1]).lines.exists()


def test_buy_now_signed_out_asks_to_sign_in_and_admits_nobody(client, scene):
    url = product_url(scene.honey)
    response = client.post(reverse("orders:buy_now", args=[scene.item.pk]), {"next": url})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not FlashAdmission.objects.exists()


def test_buy_now_goes_nowhere_but_this_site(client_for, shoppers):
    scene = make_scene(starts_in=timedelta(hours=1))  # refused: it goes back to ``next``
    response = client_for(shoppers[0]).post(
        reverse("orders:buy_now", args=[scene.item.pk]),
        {"quantity": 1, "next": "https://evil.example/"},
    )
    assert response["Location"].startswith("/")


def test_grab_it_on_the_flash_page_still_admits_and_opens_the_product_page(
    client_for, scene, shoppers
):
    response = client_for(shoppers[0]).post(
        reverse("flash:take", args=[scene.item.pk]), {"quantity": 1}, follow=True
    )
    assert response.redirect_chain[-1][0] == product_url(scene.honey)
    assert "You got 1 at the flash price" in response.content.decode()
    assert FlashAdmission.objects.get(user=shoppers[0]).quantity == 1


# ---------------------------------------------------------------------------- the price's window


def test_the_flash_price_applies_up_to_the_last_instant_of_the_window_and_not_at_its_end(
    shoppers, settings
):
    """The pricing pipeline's sale step gets the flash price only from admissions consumed
    inside [start, end): at the end instant itself it is gone; a second before, it applies.
    Admission itself is refused before the start (``flash_sale_not_live``)."""
    from django.core.exceptions import ValidationError

    from marketing.flash.services import flash_admissions_consume

    settings.FLASH_ADMISSION_MINUTES = 24 * 60  # the admission outlives the window
    scene = make_scene()
    for shopper in shoppers[:2]:
        flash_admit(user=shopper, item=scene.item, quantity=1)
    end = scene.sale.ends_at
    line = [(scene.honey.pk, 1)]
    at_end = flash_admissions_consume(user=shoppers[0], lines=line, checkout_number="A", now=end)
    assert at_end == {}
    before = flash_admissions_consume(
        user=shoppers[1], lines=line, checkout_number="B", now=end - timedelta(seconds=1)
    )
    assert before[scene.honey.pk].unit_price == Decimal("99.00")

    upcoming = make_scene(starts_in=timedelta(seconds=30))
    with pytest.raises(ValidationError) as refused:
        flash_admit(user=shoppers[2], item=upcoming.item, quantity=1)
    assert refused.value.error_dict["item"][0].code == "flash_sale_not_live"
    # the admission still held by shoppers[0], used a second before the start: no price
    early = scene.sale.starts_at - timedelta(seconds=1)
    assert (
        flash_admissions_consume(user=shoppers[0], lines=line, checkout_number="C", now=early) == {}
    )


def test_the_cart_shows_held_units_for_one_query_more(client_for, honey_sale, shoppers):
    """A signed-in shopper's cart reads their live admissions once (one query, however
    many lines); an anonymous cart reads none (the 9 of the cart page, tests/orders)."""
    honey, _item = honey_sale
    shopper = to_hangzhou(client_for(shoppers[0]))
    action, nxt = buy_now_form(shopper, honey)
    shopper.post(action, {"quantity": 1, "next": nxt})
    cart = reverse("orders:cart")
    count_queries(shopper, cart)
    anonymous = to_hangzhou(Client())
    anonymous.post(reverse("orders:add"), {"sku": honey.pk, "quantity": 1})
    count_queries(anonymous, cart)

    assert count_queries(anonymous, cart) <= 9
    assert count_queries(shopper, cart) <= 10  # the 9, and the admissions
