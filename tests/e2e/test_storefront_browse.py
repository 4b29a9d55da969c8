"""In a real browser: browse a category, open a product, switch currency, search in Chinese
and in English."""

import pytest

from tests.catalog.storefront_catalog import build_shop

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
def test_browse_open_switch_currency_and_search(page, screenshot):
    shop = build_shop()
    page.goto("/en/")
    page.get_by_role("link", name="Food & Wine").click()
    page.wait_for_url("**/en/c/food/")
    assert page.locator("h1").inner_text() == "Food & Wine"
    page.get_by_role("link", name="Clover Honey").click()
    page.wait_for_url(f"**/en/p/{shop.clover.pk}/**")
    assert page.locator("h1").inner_text() == "Clover Honey"
    assert page.locator(".headline-price .money").first.inner_text() == "$12.39"
    assert page.locator("[data-availability]").inner_text() == "In stock"
    screenshot("product-usd")

    page.locator(".currency-switch summary").click()
    page.locator('.currency-switch a[data-currency="EUR"]').click()
    page.wait_for_url(f"**/en/p/{shop.clover.pk}/**")
    assert page.locator(".headline-price .money").first.inner_text() == "€11.43"

    page.get_by_role("searchbox").fill("蜂蜜")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/en/search/?q=*")
    cards = page.locator(".product-card .product-name")
    assert set(cards.all_inner_texts()) == {"Manuka Honey UMF 10+", "Clover Honey"}

    page.get_by_role("searchbox").fill("milk powder")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**q=milk+powder**")
    assert cards.all_inner_texts() == ["Infant Formula Milk Powder Stage 1"]
    # the chosen currency stays
    assert page.locator(".product-card .money").first.inner_text().startswith("€")
    screenshot("search-en")


@pytest.mark.django_db(transaction=True)
def test_chinese_shopper_sees_yuan_and_searches_in_chinese(page):
    build_shop()
    page.goto("/zh-hans/search/?q=奶粉")
    assert page.locator(".product-card .product-name").all_inner_texts() == ["婴儿配方奶粉 1段"]
    assert page.locator(".product-card .money").first.inner_text() == "¥238.00"
