"""The flash-sale page in the whole-page cache (``storefront_page``, as the product pages).

One stored copy for everyone; what depends on the shopper or the clock is in live slots
made per response (``marketing.views.flash_page_live``): the phase and countdown, units
left and sold from the gate, "you hold N units", the "Grab it" form with this response's
CSRF token, the script's CSP nonce. So a warm page costs no query, and both edges of a
window show at once on the cached copy."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from marketing import views as marketing_views
from marketing.flash.services import flash_admit, flash_sale_cancel, flash_sale_schedule
from marketing.models import FlashSale
from marketplace.cacheversion import storefront_version
from tests.factories import UserFactory
from tests.marketing.conftest import make_scene
from tests.orders.test_shared_pages import stored_pages

pytestmark = pytest.mark.django_db

URL = "/en/flash/"


@pytest.fixture
def renders(monkeypatch):
    """The flash page rendered (a page served from the page cache renders none)."""
    seen: list[str] = []
    real = marketing_views.render

    def spy(request, template, *args, **kwargs):
        seen.append(template)
        return real(request, template, *args, **kwargs)

    monkeypatch.setattr(marketing_views, "render", spy)
    return seen


@pytest.fixture
def round_trips(monkeypatch):
    """The page cache's reads and the gate's Redis round trips, counted."""
    seen: list[str] = []
    backend = type(caches["default"])
    for name in ("get", "get_many"):
        real = getattr(backend, name)

        def counted(self, *args, _real=real, _name=name, **kwargs):
            seen.append(_name)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(backend, name, counted)
    real_execute = redis.client.Pipeline.execute

    def execute(self, *args, **kwargs):
        seen.append("gate")
        return real_execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", execute)
    return seen


def page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def item_html(html: str, item_id: int) -> str:
    start = html.index(f'data-item="{item_id}"')
    return html[start : html.index("</li>", start)]


def token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_two_shoppers_share_one_copy_and_see_only_their_own_hold_and_token(client_for, renders):
    scene = make_scene(units=5, limit=2)
    ann, bob = UserFactory(), UserFactory()
    flash_admit(user=ann, item=scene.item, quantity=2)
    ann_page, bob_page = page(client_for(ann)), page(client_for(bob))
    anonymous = page(Client())

    assert "You hold 2 units of this item" in item_html(ann_page, scene.item.pk)
    assert "Grab it" not in item_html(ann_page, scene.item.pk)
    assert "You hold" not in bob_page and "Grab it" in item_html(bob_page, scene.item.pk)
    assert "Left: <span data-left>3</span> / 5" in bob_page and "2 of 5 sold" in bob_page
    assert token(bob_page) != token(anonymous)
    assert renders == ["marketing/flash_sales.html"]  # one render: the rest from the cache
    for stored in stored_pages():
        if b"Double 11 honey" in stored:
            assert b"csrfmiddlewaretoken" not in stored and b"You hold" not in stored
            assert b"data-left" not in stored and b'nonce=""' in stored  # a hole


def test_the_scripts_nonce_is_this_responses_own(client):
    make_scene()
    first, second = client.get(URL), client.get(URL)  # the second from the cache
    for response in (first, second):
        nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert re.search(r'nonce="([^"]+)"', first.content.decode()).group(1) != re.search(
        r'nonce="([^"]+)"', second.content.decode()
    ).group(1)


def test_a_warm_page_costs_no_query_and_one_gate_round_trip(
    client_for, round_trips, django_assert_max_num_queries, django_assert_num_queries
):
    scene = make_scene(units=5, limit=2)
    anonymous = Client()
    page(anonymous)
    round_trips.clear()
    with django_assert_max_num_queries(0):
        assert "Grab it" in page(anonymous)
    assert round_trips == ["get_many", "gate"]  # page + version; the gate's counters

    shopper = UserFactory(display_name="Dora Dormouse")
    browser = client_for(shopper)
    page(browser)
    round_trips.clear()
    with django_assert_max_num_queries(0):
        html = page(browser)
    assert "Dora Dormouse" in html and "Grab it" in html
    # page, version, session, account menu and cart count (as this session read last time);
    # the gate (left and own count)
    assert round_trips == ["get_many", "gate"]

    flash_admit(user=shopper, item=scene.item, quantity=1)
    with django_assert_num_queries(1):  # the gate says they hold units: when they run out
        assert "You hold 1 unit of this item" in page(browser)


def test_the_cached_page_follows_the_window_edges(client, monkeypatch, renders):
    scene = make_scene(starts_in=timedelta(hours=1))
    start, end = scene.sale.starts_at, scene.sale.ends_at

    def at(moment) -> str:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return page(client)

    before = at(start - timedelta(seconds=1))
    assert 'data-phase="upcoming"' in before and "Starts" in before and "Grab it" not in before
    opening = at(start)
    assert 'data-phase="live"' in opening and "Grab it" in opening and "Ends" in opening
    assert "Grab it" in at(end - timedelta(seconds=1))
    after = at(end)
    assert "This flash sale is over." in after and "Grab it" not in after
    assert renders == ["marketing/flash_sales.html"]  # one render for the four moments


def test_a_sold_out_item_says_so_on_the_cached_page(client):
    scene = make_scene(units=2, limit=2)
    page(client)
    flash_admit(user=UserFactory(), item=scene.item, quantity=2)
    html = item_html(page(client), scene.item.pk)
    assert "Sold out" in html and "Grab it" not in html


def test_scheduling_and_cancelling_show_at_once_on_the_cached_page(
    client, django_capture_on_commit_callbacks
):
    scene = make_scene()
    assert "Double 11 honey" in page(client)  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        flash_sale_cancel(sale=scene.sale, by=scene.membership.user)
    assert "Double 11 honey" not in page(client)
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
    assert "Second chance" in page(client)


def test_the_stored_copy_never_outlives_the_first_end_among_its_sales(client):
    make_scene()  # ends in about two hours
    soon = make_scene()
    FlashSale.objects.filter(pk=soon.sale.pk).update(ends_at=timezone.now() + timedelta(seconds=20))
    storefront_version.bump()  # the update bypassed the services
    page(client)
    cache = caches["default"]
    client_ = cache._cache.get_client()
    ttls = [client_.ttl(k) for k in client_.scan_iter(match=f"{cache.key_prefix}:*:page:flash:*")]
    assert ttls and 0 < max(ttls) <= 20
