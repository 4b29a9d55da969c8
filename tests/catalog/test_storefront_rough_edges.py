"""Storefront rough edges (issue 8): the kind of every seller on cards and pages, "Ships
from" naming each place once, and a page past the end of a listing or search."""

import re
from decimal import Decimal

import pytest

from merchants.models import Merchant
from tests.catalog.storefront_catalog import build_shop, product
from tests.factories import MerchantFactory, ProductFactory, StockFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return build_shop()


@pytest.fixture
def agent(shop):
    """A purchasing agent (代购) with one product in the honey category."""
    merchant = MerchantFactory(
        slug="sydney-agent",
        name_en="Sydney Agent",
        name_zh_hans="悉尼代购",
        kind=Merchant.Kind.PURCHASING_AGENT,
        country="AU",
    )
    item = product(
        merchant=merchant,
        category=shop.honey_cat,
        brand=None,
        en="Leatherwood Honey",
        zh="革木蜂蜜",
        price=Decimal("25.00"),
        currency="AUD",
    )
    return merchant, item


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def cards(html: str) -> dict[int, str]:
    """Each product card's HTML, by product id."""
    found = re.findall(r'<li class="product-card" data-product="(\d+)">(.*?)</li>', html, re.S)
    return {int(pk): body for pk, body in found}


# --- the seller's kind, the same badge everywhere ---------------------------------------------


def kinds_in(html: str) -> list[str]:
    return re.findall(r'<span class="badge kind kind-\w+" data-kind="(\w+)">', html)


def test_cards_show_every_kind_of_seller_not_only_self_operated(client, shop, agent):
    _merchant, leatherwood = agent
    shown = cards(get(client, "/en/c/honey/"))
    assert kinds_in(shown[shop.clover.pk]) == ["self_operated"]
    assert kinds_in(shown[shop.manuka.pk]) == ["third_party"]
    assert kinds_in(shown[leatherwood.pk]) == ["purchasing_agent"]
    assert "Third-party merchant" in shown[shop.manuka.pk]
    assert "Purchasing agent" in shown[leatherwood.pk]
    # the home page's grid uses the same cards
    home = cards(get(client, "/en/"))
    assert kinds_in(home[leatherwood.pk]) == ["purchasing_agent"]


def test_the_badge_reads_the_same_on_cards_the_product_page_and_the_store_page(client, shop, agent):
    merchant, leatherwood = agent
    card = cards(get(client, "/en/c/honey/"))[leatherwood.pk]
    badge = re.search(r'<span class="badge kind[^>]*>[^<]*</span>', card).group(0)
    assert badge in get(client, f"/en/p/{leatherwood.pk}/{leatherwood.slug}/")
    assert badge in get(client, f"/en/store/{merchant.slug}/")
    home = get(client, "/en/")
    assert badge in home  # the merchants list on the home page


def test_the_kind_badge_is_translated(client, shop, agent):
    _merchant, leatherwood = agent
    shown = cards(get(client, "/zh-hans/c/honey/"))
    assert "海外代购" in shown[leatherwood.pk] and "第三方商家" in shown[shop.manuka.pk]
    assert "Purchasing agent" not in shown[leatherwood.pk]
    assert "Third-party merchant" not in shown[shop.manuka.pk]


# --- ships from: each place once -------------------------------------------------------------


def test_ships_from_names_two_bonded_warehouses_in_china_once(client, shop):
    second = WarehouseFactory(code="hangzhou", name_en="Hangzhou bonded", name_zh_hans="杭州保税仓")
    sku = shop.clover.skus.get()
    StockFactory(sku=sku, warehouse=second, on_hand=10)
    url = f"/{{}}/p/{shop.clover.pk}/{shop.clover.slug}/"
    html = get(client, url.format("en"))
    assert html.count("Bonded warehouse in China · China") == 1
    assert re.search(
        r'<p class="ships-from">Ships from: Bonded warehouse in China · China</p>', html
    )
    zh = get(client, url.format("zh-hans"))
    line = re.search(r'<p class="ships-from">(.*?)</p>', zh).group(1)
    assert ";" not in line


def test_ships_from_keeps_different_places_apart(client, shop):
    sku = shop.clover.skus.get()
    StockFactory(sku=sku, warehouse=shop.overseas_wh, on_hand=10)
    html = get(client, f"/en/p/{shop.clover.pk}/{shop.clover.slug}/")
    assert "Ships from: Bonded warehouse in China · China; Overseas warehouse · New Zealand" in html


def test_the_selector_dedupes_places():
    from catalog.selectors.storefront import StockView

    view = StockView(
        by_sku={},
        state_by_sku={},
        warehouses=[
            {"name": "Ningbo", "kind": "bonded", "country": "CN"},
            {"name": "Auckland", "kind": "overseas", "country": "NZ"},
            {"name": "Hangzhou", "kind": "bonded", "country": "CN"},
        ],
    )
    assert view.places == (("bonded", "CN"), ("overseas", "NZ"))
    assert len(view.warehouses) == 3  # the API still lists each warehouse by name


# --- a page past the end goes to the last page -------------------------------------------------


def _more_honey(shop, n):
    for i in range(n):
        ProductFactory(category=shop.honey_cat, merchant=shop.kiwi, name_en=f"Bulk honey {i:02d}")


def test_a_listing_page_past_the_end_redirects_to_the_last_page(client, shop):
    _more_honey(shop, 30)  # 32 in honey: two pages of 24
    response = client.get("/en/c/honey/?page=99&sort=newest")
    assert response.status_code == 302
    assert response["Location"] == "/en/c/honey/?page=2&sort=newest"
    html = get(client, response["Location"])
    assert "Page 2 of 2" in html and "No products here yet" not in html
    assert html.count('class="product-card"') == 8


def test_one_page_of_results_drops_the_page_number(client, shop):
    response = client.get("/en/c/honey/?page=99")
    assert response.status_code == 302 and response["Location"] == "/en/c/honey/"
    assert client.get("/en/c/honey/?page=1").status_code == 200


def test_an_empty_listing_past_its_first_page_says_it_is_empty(client, shop):
    response = client.get("/en/c/electronics/?page=3&in_stock=on")
    assert response.status_code == 302
    assert response["Location"] == "/en/c/electronics/?in_stock=on"
    html = get(client, response["Location"])
    assert "0 products" in html and "No products here yet" in html


def test_a_store_page_past_the_end_redirects(client, shop):
    response = client.get("/en/store/kiwi/?page=7")
    assert response.status_code == 302 and response["Location"] == "/en/store/kiwi/"


def test_a_search_page_past_the_end_redirects_to_the_last_page(client, shop):
    _more_honey(shop, 30)
    response = client.get("/en/search/?q=honey&page=99")
    assert response.status_code == 302
    assert response["Location"] == "/en/search/?q=honey&page=2"
    html = get(client, response["Location"])
    assert "Page 2 of 2" in html and "Nothing matches your search" not in html
    # the redirect is never cached as the page
    assert client.get("/en/search/?q=honey&page=99").status_code == 302
    zh = client.get("/zh-hans/search/?q=蜂蜜&page=5")
    assert zh.status_code == 302 and zh["Location"].startswith("/zh-hans/search/?q=")
