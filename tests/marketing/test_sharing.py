"""Sharing on product and store pages: Open Graph and Twitter card tags that name the page
at SITE_URL (nothing personal, so the pages stay cacheable), share links for Weibo, Douban,
X, Facebook, LinkedIn and a WeChat QR code of the page."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from tests.factories import ProductFactory, SKUFactory, StockFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def honey(db, settings):
    settings.SITE_URL = "https://shop.example"
    product = ProductFactory(
        name_en="Manuka Honey", name_zh_hans="麦卢卡蜂蜜", description_en="<p>MGO 400+</p>"
    )
    StockFactory(sku=SKUFactory(product=product))
    return product


def test_the_product_page_carries_open_graph_and_twitter_cards(client, honey):
    url = reverse("storefront:product", args=[honey.pk, honey.slug])
    html = client.get(url).content.decode()

    assert '<meta property="og:title" content="Manuka Honey">' in html
    assert '<meta property="og:description" content="MGO 400+">' in html
    assert f'<meta property="og:url" content="https://shop.example{url}">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta property="og:locale" content="en_US">' in html


def test_the_product_page_has_share_links_and_a_wechat_qr(client, honey):
    url = reverse("storefront:product", args=[honey.pk, honey.slug])
    html = client.get(url).content.decode()
    page = quote(f"https://shop.example{url}", safe="")
    for prefix in (
        "https://service.weibo.com/share/share.php?url=",
        "https://www.douban.com/share/service?href=",
        "https://twitter.com/intent/tweet?url=",
        "https://www.facebook.com/sharer/sharer.php?u=",
        "https://www.linkedin.com/sharing/share-offsite/?url=",
    ):
        assert (prefix + page).replace("&", "&amp;") in html or prefix + page in html
    qr = reverse("distribution:page_qr") + "?path=" + quote(url, safe="")
    assert qr.replace("&", "&amp;") in html
    svg = client.get(qr)
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<svg")


def test_the_page_qr_only_encodes_the_shops_own_pages(client, settings):
    settings.SITE_URL = "https://shop.example"
    own = client.get(reverse("distribution:page_qr") + "?path=/en/").content
    other = client.get(reverse("distribution:page_qr") + "?path=https://evil.example/").content
    home = client.get(
        reverse("distribution:page_qr") + "?path=" + reverse("storefront:home")
    ).content
    assert other == home != b""
    assert own.startswith(b"<svg")


def test_the_store_page_in_chinese_has_the_tags_and_buttons(client, honey):
    html = client.get(f"/zh-hans/store/{honey.merchant.slug}/").content.decode()
    assert '<meta property="og:type" content="website">' in html
    assert '<meta property="og:locale" content="zh_CN">' in html
    assert "微博" in html and "豆瓣" in html and "微信" in html


def test_the_product_page_is_still_served_from_the_page_cache(
    client, honey, django_assert_max_num_queries
):
    url = reverse("storefront:product", args=[honey.pk, honey.slug])
    client.get(url)
    with django_assert_max_num_queries(2):  # the stock hole only: the page came whole
        html = client.get(url).content.decode()
    assert '<meta property="og:title" content="Manuka Honey">' in html
