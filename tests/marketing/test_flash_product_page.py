"""The product page's flash-sale box (catalog.offers → marketing.views.product_flash_html):
the flash price with its countdown inside the window, "starts" before it, units sold and
left from the gate, "sold out", and "Buy now" through the admission. The page is in the
whole-page cache; the box is a live slot made from this response's clock, so neither edge
of the window is served stale, and scheduling, editing and cancelling show at once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from marketing.flash.services import (
    flash_admit,
    flash_sale_cancel,
    flash_sale_edit,
    flash_sale_schedule,
)
from marketing.models import FlashAdmission
from tests.marketing.conftest import make_scene

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


def test_buy_now_admits_and_comes_back_to_the_product_page(client_for, scene, shoppers):
    shopper = client_for(shoppers[0])
    url = product_url(scene.honey)
    response = shopper.post(
        reverse("flash:take", args=[scene.item.pk]), {"quantity": 1, "next": url}, follow=True
    )
    assert response.redirect_chain[-1][0] == url
    assert "You got 1 at the flash price" in response.content.decode()
    assert FlashAdmission.objects.get(user=shoppers[0]).quantity == 1


def test_buy_now_over_the_cap_stays_on_the_product_page_and_says_why(client_for, scene, shoppers):
    shopper = client_for(shoppers[0])
    url = product_url(scene.honey)
    take = reverse("flash:take", args=[scene.item.pk])
    shopper.post(take, {"quantity": 2, "next": url})
    response = shopper.post(take, {"quantity": 1, "next": url}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "at most 2" in response.content.decode()


def test_buy_now_before_the_start_says_it_has_not_started(client_for, shoppers):
    scene = make_scene(starts_in=timedelta(hours=1))
    response = client_for(shoppers[0]).post(
        reverse("flash:take", args=[scene.item.pk]),
        {"quantity": 1, "next": product_url(scene.honey)},
        follow=True,
    )
    assert "This flash sale is not on now." in response.content.decode()
    assert not FlashAdmission.objects.exists()


def test_buy_now_sold_out_in_chinese(client_for, shoppers):
    scene = make_scene(units=1, limit=1)
    flash_admit(user=shoppers[0], item=scene.item, quantity=1)
    zh = f"/zh-hans/p/{scene.honey.product_id}/{scene.honey.product.slug}/"
    response = client_for(shoppers[1]).post(
        f"/zh-hans/flash/item/{scene.item.pk}/take/", {"quantity": 1, "next": zh}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == zh
    assert "已抢光" in html


def test_buy_now_goes_nowhere_but_this_site(client_for, scene, shoppers):
    response = client_for(shoppers[0]).post(
        reverse("flash:take", args=[scene.item.pk]),
        {"quantity": 1, "next": "https://evil.example/"},
    )
    assert response["Location"].startswith("/")


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
