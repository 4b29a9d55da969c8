"""Storefront pages as a shopper sees them: home, category listing, product, merchant."""

import re
from decimal import Decimal

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from catalog.models import Product
from catalog.services.stock import StockLine, stock_reserve
from marketplace import localcache
from marketplace.currency import COOKIE_NAME
from marketplace.localcache import LocalCache
from merchants.models import Merchant
from tests.catalog.storefront_catalog import build_shop, product
from tests.factories import (
    BrandFactory,
    MerchantFactory,
    ProductFactory,
    StockFactory,
    WarehouseFactory,
)
from tests.marketplace.test_i18n import english_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return build_shop()


def page(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def product_url(item, lang="en"):
    return f"/{lang}/p/{item.pk}/{item.slug}/"


# --- home ------------------------------------------------------------------------------


def test_home_shows_categories_with_subcategories_and_new_products(client, shop):
    html = page(client, "/en/")
    assert "Food &amp; Wine" in html and 'href="/en/c/honey/"' in html
    assert "Wireless Bluetooth Earbuds" in html and "Clover Honey" in html
    assert "Draft Honey" not in html and "Suspended Honey" not in html
    # newest first
    assert html.index("Wireless Bluetooth Earbuds") < html.index("Clover Honey")


def test_home_in_chinese_shows_chinese_names(client, shop):
    html = page(client, "/zh-hans/")
    assert "食品酒水" in html and "无线蓝牙耳机" in html and "Clover Honey" not in html


# --- category listing ----------------------------------------------------------------


def test_category_lists_products_of_its_subcategories(client, shop):
    html = page(client, "/en/c/food/")
    assert "Manuka Honey UMF 10+" in html and "Clover Honey" in html
    assert "Infant Formula" not in html and "Draft Honey" not in html
    assert "Suspended Honey" not in html
    assert 'href="/en/c/honey/"' in html  # subcategory chip
    assert "2 products" in html


def test_unknown_category_is_404(client, shop):
    assert client.get("/en/c/nope/").status_code == 404


@pytest.mark.parametrize(
    ("query", "shown", "absent"),
    [
        ("brand=comvita", "Manuka Honey", "Clover Honey"),
        ("merchant=silkway-store", "Clover Honey", "Manuka Honey"),
        ("trade_mode=bonded", "Clover Honey", "Manuka Honey"),
        ("in_stock=on", "Clover Honey", "Manuka Honey UMF 10+ (gone)"),
        ("self_operated=on", "Clover Honey", "Manuka Honey"),
        # display currency USD (English default): Clover 88 CNY = 12.39 USD, Manuka from 30 USD
        ("price_max=20", "Clover Honey", "Manuka Honey"),
        ("price_min=20", "Manuka Honey", "Clover Honey"),
    ],
)
def test_category_filters(client, shop, query, shown, absent):
    html = page(client, f"/en/c/food/?{query}")
    assert shown in html
    assert absent not in html


def test_price_filter_follows_the_display_currency(client, shop):
    client.cookies[COOKIE_NAME] = "CNY"
    html = page(client, "/en/c/food/?price_max=100")  # Clover 88 CNY; Manuka 213 CNY
    assert "Clover Honey" in html and "Manuka Honey" not in html


def test_sort_by_price(client, shop):
    cheap_first = page(client, "/en/c/food/?sort=price_asc")
    assert cheap_first.index("Clover Honey") < cheap_first.index("Manuka Honey")
    dear_first = page(client, "/en/c/food/?sort=price_desc")
    assert dear_first.index("Manuka Honey") < dear_first.index("Clover Honey")


def test_bad_filter_values_are_named_and_ignored(client, shop):
    html = page(client, "/en/c/food/?price_min=-5&price_max=abc")
    assert "Lowest price: Ensure this value is greater than or equal to 0." in html
    assert "Highest price: Enter a number." in html
    assert "Clover Honey" in html and "Manuka Honey" in html


def test_pages_of_24(client, shop):
    for n in range(30):
        ProductFactory(category=shop.honey_cat, merchant=shop.kiwi, name_en=f"Bulk honey {n:02d}")
    first = page(client, "/en/c/honey/")
    assert "32 products" in first and "Page 1 of 2" in first
    assert first.count('class="product-card"') == 24
    second = page(client, "/en/c/honey/?page=2")
    assert second.count('class="product-card"') == 8
    assert 'rel="prev" href="?page=1"' in second


# --- product page -----------------------------------------------------------------------


def test_product_page_shows_variants_prices_tiers_merchant_and_stock(client, shop):
    html = page(client, product_url(shop.manuka))
    # names and option values are the merchant's words, marked so nobody translates them
    assert '<h1 translate="no">Manuka Honey UMF 10+</h1>' in html
    assert 'Size: <span translate="no">250g</span>' in html
    assert 'Size: <span translate="no">500g</span>' in html
    assert "$30.00" in html and "$52.00" in html
    assert "For business buyers" in html and "10 or more" in html and "$45.00" in html
    assert "Minimum order: 2 units" in html
    assert "Kiwi Nature" in html and 'href="/en/store/kiwi/"' in html
    assert "Direct purchase import (9610)" in html
    # 3 on hand with a threshold of 5: low; the 500g has no stock at all
    assert 'data-availability="low_stock"' in html and "Out of stock" in html
    assert "Overseas warehouse · New Zealand" in html
    assert "<p>Raw honey from New Zealand.</p>" in html


def test_self_operated_bonded_product(client, shop):
    html = page(client, product_url(shop.clover))
    assert "Self-operated" in html and "Bonded import (1210)" in html
    assert 'data-availability="in_stock"' in html
    assert "Bonded warehouse in China · China" in html
    assert "For business buyers" not in html


def test_product_in_chinese_falls_back_to_english_where_not_translated(client, shop):
    shop.earbuds.description_zh_hans = ""
    shop.earbuds.description_en = "<p>Long battery.</p>"
    shop.earbuds.save()
    html = page(client, product_url(shop.earbuds, "zh-hans"))
    assert '<h1 translate="no">无线蓝牙耳机</h1>' in html and "<p>Long battery.</p>" in html


def test_description_is_sanitised_when_shown(client, shop):
    Product.objects.filter(pk=shop.earbuds.pk).update(
        description_en='<p onclick="x()">Hi<script>alert(1)</script></p>'
    )
    html = page(client, product_url(shop.earbuds))
    assert "<script>alert(1)" not in html and "onclick" not in html and "<p>Hi</p>" in html


def test_external_images_in_a_description_never_reach_the_storefront(client, shop):
    """A description saved before images were checked still shows no tracking pixel."""
    Product.objects.filter(pk=shop.earbuds.pk).update(
        description_en=(
            '<p>Hi</p><img src="https://tracker.example/p.gif?u=1" alt="">'
            '<img src="/media/products/own.jpg" alt="ours">'
        )
    )
    html = page(client, product_url(shop.earbuds))
    assert "tracker.example" not in html
    assert '<img src="/media/products/own.jpg" alt="ours">' in html


@pytest.mark.parametrize("which", ["draft", "hidden"])
def test_invisible_products_are_404(client, shop, which):
    item = getattr(shop, which)
    assert client.get(product_url(item)).status_code == 404


def test_product_url_without_or_with_a_wrong_slug_redirects(client, shop):
    for url in (f"/en/p/{shop.clover.pk}/", f"/en/p/{shop.clover.pk}/old-name/"):
        response = client.get(url)
        assert response.status_code == 301 and response.url == product_url(shop.clover)


def test_report_link_only_when_the_report_page_exists(client, shop):
    from catalog.views.storefront import report_url

    html = page(client, product_url(shop.clover))
    expected = report_url(shop.clover.pk)
    assert (expected is not None) == ("Report this listing" in html)
    with override_settings(ROOT_URLCONF="tests.catalog.report_urlconf"):
        html = page(client, product_url(shop.clover))
        assert f'href="/en/report/{shop.clover.pk}/"' in html


def test_stock_changes_show_at_once(client, shop):
    """The product page's stock is cached per SKU, and every stock write forgets it: a
    checkout reserving the last units shows "out of stock" on the next view, cached page or
    not, and a row saved directly (an operator's admin) does too."""
    stock = shop.clover.skus.get().stock.get()
    assert 'data-availability="in_stock"' in page(client, product_url(shop.clover))
    assert 'data-availability="in_stock"' in page(client, product_url(shop.clover))  # cached
    stock_reserve(lines=[StockLine(stock_id=stock.pk, quantity=stock.available)])
    assert 'data-availability="out_of_stock"' in page(client, product_url(shop.clover))
    stock.refresh_from_db()
    stock.on_hand += 50
    stock.save()
    assert 'data-availability="in_stock"' in page(client, product_url(shop.clover))


def test_rows_a_slow_reader_puts_back_after_a_write_are_not_shown(client, shop):
    """The race the marks close: a reader loads a SKU's rows, a checkout takes the last units
    and forgets them, then the reader stores the rows it loaded before. The page must not
    say "in stock" from them (they are kept for minutes now, no longer for 10 s)."""
    from django.core.cache import cache

    from catalog.selectors.storefront import stock_key

    stock = shop.clover.skus.get().stock.get()
    assert 'data-availability="in_stock"' in page(client, product_url(shop.clover))
    loaded_before = cache.get(stock_key(stock.sku_id))  # (its mark, the rows) as then
    assert loaded_before is not None
    stock_reserve(lines=[StockLine(stock_id=stock.pk, quantity=stock.available)])
    cache.set(stock_key(stock.sku_id), loaded_before)  # the slow reader's write, late
    assert 'data-availability="out_of_stock"' in page(client, product_url(shop.clover))
    assert 'data-availability="out_of_stock"' in page(client, product_url(shop.clover))


def test_a_sold_out_option_cannot_be_added_even_on_a_cached_page(client, shop):
    """The buy button is live like the stock beside it: once the last units are taken it
    says "Sold out" and is disabled, on the cached copy too, in the shopper's language."""
    stock = shop.clover.skus.get().stock.get()
    html = page(client, product_url(shop.clover))
    assert '<button type="submit" class="button">Add to cart</button>' in html
    assert "Sold out" not in html
    page(client, product_url(shop.clover))  # now cached
    stock_reserve(lines=[StockLine(stock_id=stock.pk, quantity=stock.available)])
    html = page(client, product_url(shop.clover))
    assert "Add to cart" not in html
    assert 'disabled aria-disabled="true">Sold out</button>' in html
    zh = page(client, product_url(shop.clover, "zh-hans"), follow=True)
    assert 'disabled aria-disabled="true">已售罄</button>' in zh
    stock.refresh_from_db()
    stock.on_hand += 5
    stock.save()
    assert "Add to cart</button>" in page(client, product_url(shop.clover))


def test_edits_show_without_waiting_for_the_cache(client, shop):
    page(client, product_url(shop.clover))
    page(client, "/en/c/food/")
    shop.clover.name_en = "Clover Honey Gold"
    shop.clover.save()
    assert "Clover Honey Gold" in page(client, product_url(shop.clover))
    assert "Clover Honey Gold" in page(client, "/en/c/food/")


# --- merchant page ----------------------------------------------------------------------


def test_merchant_page_lists_only_their_visible_products(client, shop):
    html = page(client, "/en/store/kiwi/")
    assert "Kiwi Nature" in html and "Manuka Honey" in html and "Wireless Bluetooth" in html
    assert "Draft Honey" not in html and "Clover Honey" not in html


def test_merchant_page_of_self_operated_store_has_badge(client, shop):
    html = page(client, "/en/store/silkway-store/")
    assert "Self-operated" in html and "China" in html


def test_unapproved_merchant_page_is_404(client, shop):
    assert client.get("/en/store/gone/").status_code == 404


# --- currency -----------------------------------------------------------------------------


def test_default_display_currency_follows_the_language(client, shop):
    en = page(client, product_url(shop.clover))
    assert "$12.39" in en and "¥88.00" in en  # 88 CNY / 7.10, the listing price beside it
    zh = page(client, product_url(shop.manuka, "zh-hans"))
    assert "¥213.00" in zh and "30.00美元" in zh  # 30 USD * 7.10


def test_switching_currency_keeps_the_page_and_sticks(client, shop):
    url = product_url(shop.clover)
    response = client.get(f"/currency/switch/EUR/?next={url}")
    assert response.status_code == 302 and response.url == url
    assert response.cookies[COOKIE_NAME].value == "EUR"
    html = page(client, url)
    assert "€11.43" in html  # 88 CNY / 7.70, half-up
    assert 'data-currency="EUR"' in html


def test_currency_switch_refuses_unknown_codes_and_foreign_sites(client, shop):
    response = client.get("/currency/switch/XYZ/?next=https://evil.example/")
    assert response.url == "/" and COOKIE_NAME not in response.cookies


def test_every_storefront_page_offers_the_currency_switch(client, shop):
    for url in ("/en/", "/en/c/food/", product_url(shop.clover), "/en/store/kiwi/",
                "/en/search/?q=honey"):  # fmt: skip
        html = page(client, url)
        assert 'class="currency-switch"' in html and "/currency/switch/JPY/" in html, url


# --- Chinese pages --------------------------------------------------------------------------


def _ui_text(html: str) -> set[str]:
    # amounts and product data are content, not UI text
    html = re.sub(r'<span class="money">.*?</span>', "", html)
    return english_words(html)


def test_chinese_pages_have_no_english_ui_text(client, shop):
    # products named only in Chinese, so whatever English is left is ours
    for item in (shop.manuka, shop.clover, shop.formula, shop.earbuds):
        Product.objects.filter(pk=item.pk).update(
            name_en="", description_en="", name_zh_hans=item.name_zh_hans.replace("UMF", "")
        )
    for sku in shop.manuka.skus.all():
        sku.attributes = {"size": "250克"}
        sku.save()
    for url in (
        "/zh-hans/",
        "/zh-hans/c/food/",
        "/zh-hans/c/food/?price_min=-1",
        product_url(shop.manuka, "zh-hans"),
        product_url(shop.clover, "zh-hans"),
        "/zh-hans/store/kiwi/",
        "/zh-hans/search/",
        "/zh-hans/search/?q=蜂蜜",
        "/zh-hans/search/?q=不存在的东西",
    ):
        assert _ui_text(page(client, url)) == set(), url


# --- query counts -------------------------------------------------------------------------


def _grow(shop, n):
    """``n`` more visible products with several SKUs and stock each."""
    for i in range(n):
        item = product(
            merchant=shop.kiwi if i % 2 else shop.store,
            category=shop.honey_cat,
            brand=shop.comvita,
            en=f"Honey jar {i}",
            zh=f"蜂蜜罐{i}",
            price=10 + i,
            skus=[{"attributes": {"size": f"{s}00g"}} for s in range(1, 4)],
        )
        for sku in item.skus.all():
            StockFactory(sku=sku, warehouse=shop.bonded_wh)


@pytest.mark.parametrize("more", [0, 30])
def test_query_counts_do_not_grow_with_the_page(
    client, shop, django_assert_max_num_queries, more, monkeypatch
):
    # The pins below count the in-process caches' loads too: start them empty and stop their
    # clock, so a TTL running out between two pages (under load, seconds apart) cannot add a
    # query to a page that did not get dearer.
    LocalCache.clear_all()
    monkeypatch.setattr(localcache, "_now", lambda: 0.0)
    _grow(shop, more)
    big = product(
        merchant=shop.kiwi,
        category=shop.honey_cat,
        brand=shop.comvita,
        en="Honey sampler",
        zh="蜂蜜礼盒",
        price=5,
        skus=[{"attributes": {"size": f"{s}"}} for s in range(12)],
    )
    for sku in big.skus.all():
        StockFactory(sku=sku, warehouse=shop.bonded_wh)
        StockFactory(sku=sku, warehouse=shop.overseas_wh)
    # cold caches: every read really goes to the database
    with django_assert_max_num_queries(11):
        page(client, "/en/")
    with django_assert_max_num_queries(10):
        page(client, "/en/c/food/?sort=price_asc&brand=comvita")
    with django_assert_max_num_queries(7):
        page(client, product_url(big))
    with django_assert_max_num_queries(9):
        page(client, "/en/search/?q=honey+蜂蜜")
    # warm: nothing at all (the product page's live stock is cached per SKU)
    with django_assert_max_num_queries(0):
        page(client, product_url(big))
    with django_assert_max_num_queries(0):
        page(client, "/en/c/food/?sort=price_asc&brand=comvita")
    with django_assert_max_num_queries(0):
        page(client, "/en/search/?q=honey+蜂蜜")


def test_suspending_a_merchant_hides_their_products_once_the_cache_is_bumped(client, shop):
    from catalog.selectors.storefront import storefront_cache_bump

    assert "Manuka Honey" in page(client, "/en/c/food/")
    Merchant.objects.filter(pk=shop.kiwi.pk).update(status=Merchant.Status.SUSPENDED)
    storefront_cache_bump()
    assert "Manuka Honey" not in page(client, "/en/c/food/")
    assert client.get(product_url(shop.manuka)).status_code == 404


def test_suspension_through_the_service_hides_cached_pages_at_once(
    client, shop, operator, django_capture_on_commit_callbacks
):
    from merchants.services.merchants import merchant_reinstate, merchant_suspend

    url = product_url(shop.manuka)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # now served from the page cache
    with django_capture_on_commit_callbacks(execute=True):
        merchant_suspend(merchant=shop.kiwi, by=operator, reason="Counterfeit reports")
    assert client.get(url).status_code == 404
    assert "Manuka Honey" not in page(client, "/en/c/food/")
    with django_capture_on_commit_callbacks(execute=True):
        merchant_reinstate(merchant=shop.kiwi, by=operator, reason="Cleared")
    assert client.get(url).status_code == 200


# --- the page cache (anonymous shoppers) -----------------------------------------------------


def test_a_second_anonymous_visit_comes_from_the_page_cache(
    client, shop, django_assert_max_num_queries
):
    url = product_url(shop.manuka)
    first = client.get(url)
    with django_assert_max_num_queries(0):  # the live stock comes from its per-SKU cache
        second = client.get(url)
    # the same page, but for the add-to-cart forms' CSRF token: a live slot, masked afresh
    # on every response (as Django does against BREACH), never stored in the cached page
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.search(first.content) and token.search(second.content)
    assert token.sub(b"", second.content) == token.sub(b"", first.content)
    # the page depends on cookies (currency, session): shared caches must key on them
    for response in (first, second):
        assert "Cookie" in response["Vary"]
    assert "Clover Honey" in page(client, "/en/c/food/")
    with django_assert_max_num_queries(0):
        assert "Clover Honey" in page(client, "/en/c/food/")


def test_signed_in_shoppers_never_get_the_anonymous_page(client, client_for, user, shop):
    anonymous = page(client, "/en/c/food/")
    assert "Log in" in anonymous and "Log out" not in anonymous
    signed_in = page(client_for(user), "/en/c/food/")
    assert "Log out" in signed_in and "Log in" not in signed_in
    # and what they saw was not kept for others
    assert "Log out" not in page(Client(), "/en/c/food/")


def test_a_flash_message_is_shown_to_its_shopper_only(client, shop):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    page(client, "/en/c/food/")  # the anonymous page is cached
    storage = CookieStorage(RequestFactory().get("/"))
    with_message = Client()
    with_message.cookies[CookieStorage.cookie_name] = storage._encode(
        [Message(constants.SUCCESS, "Thanks for your report")]
    )
    assert "Thanks for your report" in page(with_message, "/en/c/food/")
    assert "Thanks for your report" not in page(Client(), "/en/c/food/")


def test_cached_product_pages_keep_stock_live_in_every_currency(client, shop):
    url = product_url(shop.manuka)
    assert 'data-availability="low_stock"' in page(client, url)
    client.cookies[COOKIE_NAME] = "EUR"
    assert 'data-availability="low_stock"' in page(client, url)
    stock = shop.manuka.skus.get(price=30).stock.get()
    stock.on_hand = 50
    stock.save()  # the stock row's save forgets its SKU's cached stock
    for currency in ("EUR", "USD"):
        client.cookies[COOKIE_NAME] = currency
        html = page(client, url)
        assert 'data-availability="in_stock"' in html
        assert html.count('<td class="availability in_stock">In stock</td>') == 1
        assert html.count('<td class="availability out_of_stock">Out of stock</td>') == 1


def test_a_new_rate_reaches_cached_pages_within_the_local_ttl(
    client, shop, monkeypatch, django_capture_on_commit_callbacks
):
    import time

    from marketplace import currency, localcache
    from marketplace.services import exchange_rate_set

    url = product_url(shop.clover)
    assert "$12.39" in page(client, url)  # 88 CNY at 7.10
    assert "$12.39" in page(client, "/en/c/food/")
    with django_capture_on_commit_callbacks(execute=True):
        exchange_rate_set(currency="USD", rate="8.00")
    later = time.monotonic() + currency.LOCAL_TTL + 1
    monkeypatch.setattr(localcache.time, "monotonic", lambda: later)
    assert "$11.00" in page(client, url)
    assert "$11.00" in page(client, "/en/c/food/")


def test_warehouse_changes_reach_the_product_page(client, shop, monkeypatch):
    import time

    from catalog.selectors import storefront as sf
    from logistics.models import Warehouse
    from marketplace import localcache

    url = product_url(shop.clover)
    assert "Bonded warehouse in China · China" in page(client, url)
    # stock in a warehouse the page has not seen yet shows at once
    StockFactory(
        sku=shop.clover.skus.get(),
        warehouse=WarehouseFactory(code="kobe", kind="overseas", country="JP"),
    )
    assert "Overseas warehouse · Japan" in page(client, url)
    # a warehouse switched off stops counting once the page's copy of the list is renewed
    Warehouse.objects.filter(pk=shop.bonded_wh.pk).update(is_active=False)
    later = time.monotonic() + sf.WAREHOUSE_TTL + 1
    monkeypatch.setattr(localcache.time, "monotonic", lambda: later)
    html = page(client, url)
    assert "Bonded warehouse in China" not in html and "Overseas warehouse · Japan" in html


def test_content_people_wrote_is_marked_not_to_translate(client, shop):
    item = product(
        merchant=MerchantFactory(slug="tokyo", name_en="Tokyo Goods", name_zh_hans=""),
        category=shop.honey_cat,
        brand=BrandFactory(slug="shiseido", name_en="Shiseido", name_zh_hans=""),
        en="Perfect Whip Cleansing Foam",
        zh="",
        price=Decimal("60.00"),
        skus=[{"attributes": {"finish": "Matte", "size": "120g"}}],
        description_en="<p>Rich foam.</p>",
        description_zh_hans="",
    )
    for url in (product_url(item, "zh-hans"), "/zh-hans/c/honey/", "/zh-hans/store/tokyo/"):
        assert _ui_text(page(client, url)) == set(), url
    assert "Perfect Whip Cleansing Foam" in page(client, product_url(item, "zh-hans"))


def test_bench_view_is_not_routed_in_production(client):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("bench_minimal")
    assert client.get("/en/bench/minimal/").status_code == 404
    # only the benchmark's own URL configuration (bench/settings.py) has it
    assert reverse("bench_minimal", urlconf="bench.urls") == "/en/bench/minimal/"
