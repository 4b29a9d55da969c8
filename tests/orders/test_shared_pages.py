"""Signed-in shoppers get the storefront's cached pages, each with their own header.

The page cache keeps one copy of a storefront page for everyone; the header's cart link and
account menu, flash messages and CSRF tokens are live slots filled per response
(marketplace.pagecache). What these tests hold: the copy never contains anyone's data, each
shopper sees their own name, links and cart count on it, and it costs no query.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse

from catalog.views import storefront as storefront_views
from tests.factories import MembershipFactory, OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def product_url(sku) -> str:
    return reverse("storefront:product", args=[sku.product_id, sku.product.slug])


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def stored_pages() -> list[bytes]:
    """Every page the page cache holds now, as stored (the bytes around its holes)."""
    client = cache._cache.get_client()
    pages = []
    for raw in client.scan_iter(match=f"{cache.key_prefix}:*:page:*"):
        key = re.sub(r"^.*?:\d+:(page:.*)$", r"\1", raw.decode())
        entry = cache.get(key)
        if entry is not None:
            pages.append(b"".join(p for p in entry.parts if isinstance(p, bytes)))
    return pages


@pytest.fixture
def renders(monkeypatch):
    """The storefront templates rendered (a page served from the page cache renders none)."""
    seen: list[str] = []
    real = storefront_views.render

    def spy(request, template, *args, **kwargs):
        seen.append(template)
        return real(request, template, *args, **kwargs)

    monkeypatch.setattr(storefront_views, "render", spy)
    return seen


def shopper(client_for, name: str, world, lines: int) -> Client:
    browser = client_for(UserFactory(display_name=name))
    for sku in (world.honey, world.balm)[:lines]:
        browser.post("/en/cart/add/", {"sku": sku.pk, "quantity": 1})
    browser.get("/en/cart/")  # shows (and so consumes) the "Added to your cart" message
    return browser


def test_two_shoppers_share_the_cached_page_and_see_only_their_own_header(
    world, client_for, renders, django_assert_max_num_queries
):
    url = product_url(world.honey)
    alice = shopper(client_for, "Alice Aardvark", world, lines=2)
    bob = shopper(client_for, "Bob Bobcat", world, lines=1)

    first = html(alice, url)  # rendered and stored
    assert "Alice Aardvark" in first and 'data-cart-count="2"' in first
    assert 'action="/en/accounts/logout/"' in first and "Log in" not in first
    assert renders == ["storefront/product.html"]

    second = html(bob, url)  # the same cached page, Bob's header
    assert renders == ["storefront/product.html"]  # not rendered again
    assert "Bob Bobcat" in second and 'data-cart-count="1"' in second
    assert "Alice" not in second and 'data-cart-count="2"' not in second
    assert not set(TOKEN.findall(first)) & set(TOKEN.findall(second))

    anonymous = html(Client(), url)
    assert "Log in" in anonymous and 'data-cart-count="0"' in anonymous
    assert "Alice" not in anonymous and "Bob" not in anonymous
    assert 'action="/en/accounts/logout/"' not in anonymous
    # what is kept in the cache holds nobody's name, count or token
    for stored in stored_pages():
        assert b"Alice" not in stored and b"Bob" not in stored
        assert b"csrfmiddlewaretoken" not in stored and b"data-cart-count" not in stored

    # signed in and warm, the product page costs no query (its live stock is cached per SKU
    # and forgotten by every stock write); a listing nothing either
    with django_assert_max_num_queries(0):
        assert "Bob Bobcat" in html(bob, url)
    html(bob, "/en/search/?q=honey")
    with django_assert_max_num_queries(0):
        assert "Bob Bobcat" in html(bob, "/en/search/?q=honey")
    with django_assert_max_num_queries(0):
        assert "Alice Aardvark" in html(alice, "/en/search/?q=honey")


def test_the_cart_count_on_a_cached_page_follows_the_cart(world, client_for):
    url = product_url(world.honey)
    browser = shopper(client_for, "Carol", world, lines=1)
    assert 'data-cart-count="1"' in html(browser, url)
    browser.post("/en/cart/add/", {"sku": world.balm.pk, "quantity": 1})
    browser.get("/en/cart/")
    assert 'data-cart-count="2"' in html(browser, url)


def test_role_links_follow_the_user_at_once(world, client_for):
    url = product_url(world.honey)
    staff = UserFactory(display_name="Dana")
    browser = client_for(staff)
    page = html(browser, url)
    assert "Dana" in page and "Seller portal" not in page and "Back office" not in page
    MembershipFactory(user=staff, merchant=world.kiwi)
    assert "Seller portal" in html(browser, url)
    operator = html(client_for(OperatorFactory(display_name="Olga")), url)
    assert "Back office" in operator and "Olga" in operator
    assert "Back office" not in html(browser, url)
    staff.display_name = "Dana Renamed"
    staff.save()
    assert "Dana Renamed" in html(browser, url)


def test_a_session_that_is_no_longer_valid_sees_no_name(world, client_for):
    url = product_url(world.honey)
    victim = UserFactory(display_name="Erin Example")
    stolen = client_for(victim)
    assert "Erin Example" in html(stolen, url)
    # the password changes elsewhere: every session signed in with the old one is void
    victim.set_password("a-new-long-password-1")
    victim.save()
    page = html(stolen, url)
    assert "Erin Example" not in page and "Log in" in page

    # a session that logged out: its old cookie names nobody any more
    browser = client_for(UserFactory(display_name="Frank"))
    assert "Frank" in html(browser, url)
    old = browser.cookies[settings.SESSION_COOKIE_NAME].value
    browser.post("/en/accounts/logout/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old
    assert "Frank" not in html(replay, url)


def test_a_page_with_flash_messages_is_never_stored(world, client_for, renders):
    url = product_url(world.honey)
    browser = client_for(UserFactory(display_name="Gina"))
    # an add that is refused sends the shopper back to the product page with the reason
    response = browser.post("/en/cart/add/", {"sku": world.honey.pk, "quantity": 999, "next": url})
    assert response.status_code == 302
    page = html(browser, url)
    assert 'class="message' in page and "Gina" in page
    assert not stored_pages()  # the page that showed it was not kept
    # the message was shown once, and only to its shopper
    assert 'class="message' not in html(browser, url)
    assert 'class="message' not in html(Client(), url)
    for stored in stored_pages():
        assert b'class="message' not in stored


def test_a_warm_product_page_costs_one_cache_round_trip(
    world, client_for, monkeypatch, django_assert_max_num_queries
):
    """Page, storefront version, session, and what the page's slots and this session's menu
    read last time (account menu, cart count, the product's live stock) in one read: what a
    view of a cached product page costs, signed in or not (the bench's product figures
    depend on it)."""
    url = product_url(world.honey)
    carol = shopper(client_for, "Carol Caracal", world, lines=1)
    html(carol, url)
    html(carol, url)
    backend = type(caches["default"])
    reads: list[str] = []
    for name in ("get", "get_many"):
        real = getattr(backend, name)

        def counted(self, *args, _real=real, _name=name, **kwargs):
            reads.append(_name)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(backend, name, counted)
    with django_assert_max_num_queries(0):
        page = html(carol, url)
    assert "Carol Caracal" in page and 'data-cart-count="1"' in page
    assert 'data-availability="in_stock"' in page
    assert reads == ["get_many"]
    reads.clear()
    with django_assert_max_num_queries(0):
        page = html(Client(), url)
    assert "Carol Caracal" not in page and 'data-availability="in_stock"' in page
    assert reads == ["get_many"]
