"""Sharing on product and store pages: Open Graph and Twitter card tags that name the page
at SITE_URL (nothing personal, so the pages stay cacheable), share links for Weibo, Douban,
X, Facebook, LinkedIn and a WeChat QR code of the page."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import caches
from django.urls import reverse

from marketing.distribution.services import distributor_signup
from marketing.models import ShareClick
from tests.factories import ProductFactory, SKUFactory, StockFactory, UserFactory
from tests.orders.test_shared_pages import renders, stored_pages  # noqa: F401 - fixture
from tests.pdfs import image_codes

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


# ---------------------------------------------------- a distributor's own link on the buttons

SHARE_NAV = re.compile(r'<nav class="share".*?</nav>', re.S)


def _share_nav(page: str) -> str:
    found = SHARE_NAV.search(page)
    assert found, "no share buttons"
    return found.group(0)


def _link_of(code: str, path: str) -> str:
    return f"https://shop.example/en/r/{code}/?" + urlencode({"next": path})


def test_the_buttons_carry_each_distributor_s_own_link_from_one_cached_copy(
    client,
    client_for,
    honey,
    renders,  # noqa: F811 - the fixture
    django_assert_max_num_queries,
):
    url = reverse("storefront:product", args=[honey.pk, honey.slug])
    anonymous = _share_nav(client.get(url).content.decode())  # rendered and stored
    assert "/r/" not in anonymous and "data-share-code" not in anonymous
    assert quote(f"https://shop.example{url}", safe="") in anonymous

    ann, ben = distributor_signup(user=UserFactory()), distributor_signup(user=UserFactory())
    ann_browser, ben_browser = client_for(ann.user), client_for(ben.user)
    renders.clear()
    for distributor, browser in ((ann, ann_browser), (ben, ben_browser)):
        nav = _share_nav(browser.get(url).content.decode())
        assert f'data-share-code="{distributor.code}"' in nav
        link = quote(_link_of(distributor.code, url), safe="")
        for prefix in ("share.php?url=", "share/service?href=", "sharer.php?u="):
            assert prefix + link in nav
        qr = reverse("distribution:qr", args=[distributor.code]) + "?" + urlencode({"next": url})
        assert qr.replace("&", "&amp;") in nav
        other = ben if distributor is ann else ann
        assert other.code not in nav
    assert renders == []  # both came from the one cached copy
    for stored in stored_pages():
        assert ann.code.encode() not in stored and ben.code.encode() not in stored

    # a shopper who is not a distributor shares the plain page
    plain = _share_nav(client_for(UserFactory()).get(url).content.decode())
    assert "/r/" not in plain


def test_a_warm_page_costs_a_distributor_no_query_and_one_cache_round_trip(
    client_for, honey, monkeypatch, django_assert_max_num_queries
):
    url = reverse("storefront:product", args=[honey.pk, honey.slug])
    distributor = distributor_signup(user=UserFactory())
    browser = client_for(distributor.user)
    browser.get(url)
    browser.get(url)
    backend = type(caches["default"])
    reads: list[str] = []
    for name in ("get", "get_many"):
        real = getattr(backend, name)

        def counted(self, *args, _real=real, _name=name, **kwargs):
            reads.append(_name)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(backend, name, counted)
    with django_assert_max_num_queries(0):
        page = browser.get(url).content.decode()
    assert f'data-share-code="{distributor.code}"' in page
    assert reads == ["get_many"]  # page, session, menu, code, stock: as read the last time


def test_signing_up_shows_the_code_at_once_and_deactivating_hides_it(client_for, honey):
    url = reverse("storefront:product", args=[honey.pk, honey.slug])
    user = UserFactory()
    browser = client_for(user)
    assert "data-share-code" not in browser.get(url).content.decode()  # "" is cached
    distributor = distributor_signup(user=user)
    assert f'data-share-code="{distributor.code}"' in browser.get(url).content.decode()
    distributor.is_active = False
    distributor.save()
    assert "data-share-code" not in browser.get(url).content.decode()


def test_the_store_page_buttons_carry_the_code_too(client_for, honey):
    distributor = distributor_signup(user=UserFactory())
    path = f"/zh-hans/store/{honey.merchant.slug}/"
    nav = _share_nav(client_for(distributor.user).get(path).content.decode())
    assert f"/zh-hans/r/{distributor.code}/qr.svg" in nav and "微博" in nav


def test_the_wechat_qr_and_the_shared_link_attribute_to_the_distributor(
    client, client_for, honey, tmp_path
):
    url = reverse("storefront:product", args=[honey.pk, honey.slug])
    distributor = distributor_signup(user=UserFactory())
    nav = _share_nav(client_for(distributor.user).get(url).content.decode())
    src = re.search(r'<img src="([^"]+)"', nav).group(1).replace("&amp;", "&")
    png = client.get(src + "&format=png").content
    (scanned,) = image_codes(png, tmp_path)
    assert scanned == _link_of(distributor.code, url)

    friend = UserFactory()
    followed = client_for(friend).get(scanned.removeprefix("https://shop.example"))
    assert followed.status_code == 302 and followed["Location"] == url
    click = ShareClick.objects.get()
    assert click.distributor == distributor and click.user == friend and click.path == url
