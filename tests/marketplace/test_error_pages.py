"""Error pages: 403, 404 and 500 in the storefront, the seller portal and the back office,
each in its own layout and in the page's language; the API answers in its JSON format.

Before, a staff member opening the payout page in Chinese got Django's bare English
"403 Forbidden", and every 404 and 500 was Django's unstyled English page."""

import re

import pytest
from django.test import Client

from merchants.roles import Role
from tests.factories import MembershipFactory, OperatorFactory, ProductFactory, UserFactory
from tests.marketplace.test_i18n import english_words

pytestmark = pytest.mark.django_db

# what tells the three layouts apart
STOREFRONT = 'class="storefront error"'
SELLER = 'class="seller error"'
OPS = 'class="error-page-ops"'
SITE_CSS = "/static/css/silkway.css"
OPS_CSS = "/static/css/ops.css"


@pytest.fixture
def error_urls(settings):
    settings.ROOT_URLCONF = "tests.marketplace.error_urls"


def _ui_english(html: str) -> set[str]:
    """English UI words, leaving out data: the signed-in email the back office greets, and
    the code "HS" its menu names the HS rates by."""
    return english_words(re.sub(r"[\w.+-]+@[\w.-]+", "", html)) - {"HS"}


def _heading(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


def _staff(role=Role.STAFF):
    return MembershipFactory(role=role).user


def test_staff_without_payout_rights_gets_a_chinese_portal_page(client_for):
    html_response = client_for(_staff()).get("/zh-hans/seller/payout/")
    assert html_response.status_code == 403
    html = html_response.content.decode()
    assert "Forbidden" not in html
    assert _heading(html) == "无权访问此页面"
    assert "您在该商家的角色无权访问此页面。商家的所有者可以更改您的角色。" in html
    assert SELLER in html and SITE_CSS in html
    assert 'href="/zh-hans/seller/"' in html  # the portal's own way back
    assert _ui_english(html) == set()


def test_the_same_page_in_english(client_for):
    html = client_for(_staff()).get("/en/seller/payout/").content.decode()
    assert _heading(html) == "No access to this page"
    assert "Your role in this merchant does not include this page." in html


@pytest.mark.parametrize(
    ("who", "path", "layout", "home"),
    [
        (None, "/zh-hans/no-such-page/", STOREFRONT, "/zh-hans/"),
        ("owner", "/zh-hans/seller/no-such-page/", SELLER, "/zh-hans/seller/"),
        ("operator", "/zh-hans/ops/no-such-page/", OPS, "/zh-hans/ops/"),
    ],
)
def test_not_found_in_each_area_is_chinese_and_in_its_layout(client_for, who, path, layout, home):
    user = {"owner": lambda: _staff(Role.OWNER), "operator": OperatorFactory}.get(who)
    client = client_for(user()) if user else Client()
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert _heading(html) == "页面未找到"
    assert "此地址没有页面" in html
    assert layout in html
    assert f'href="{home}"' in html
    assert _ui_english(html) == set()


def test_another_merchants_product_is_a_portal_not_found_page(client_for):
    theirs = ProductFactory()
    html = client_for(_staff(Role.OWNER)).get(f"/en/seller/catalog/products/{theirs.pk}/")
    assert html.status_code == 404
    assert SELLER in html.content.decode()
    assert _heading(html.content.decode()) == "Page not found"


def test_back_office_refusal_is_a_back_office_page(client_for):
    clerk = UserFactory(is_staff=True)  # staff, but with no permission on HS rates
    response = client_for(clerk).get("/zh-hans/ops/customs/hsrate/")
    assert response.status_code == 403
    html = response.content.decode()
    assert _heading(html) == "无权访问此页面"
    assert "您的运营后台账户没有此页面的权限。请联系管理员开通。" in html
    assert OPS in html and OPS_CSS in html
    assert _ui_english(html) == set()


def test_storefront_refusal_is_a_storefront_page(client, error_urls):
    response = client.get("/zh-hans/_denied/")
    assert response.status_code == 403
    html = response.content.decode()
    assert _heading(html) == "无权访问此页面" and STOREFRONT in html
    assert _ui_english(html) == set()


@pytest.mark.parametrize(
    ("path", "layout", "css", "home"),
    [
        ("/zh-hans/_broken/", STOREFRONT, SITE_CSS, "/zh-hans/"),
        ("/zh-hans/seller/_broken/", SELLER, SITE_CSS, "/zh-hans/seller/"),
        ("/zh-hans/ops/_broken/", OPS, OPS_CSS, "/zh-hans/ops/"),
    ],
)
def test_server_error_page_needs_no_database(
    error_urls, django_assert_num_queries, path, layout, css, home
):
    """The view failed on the database; the page that says so asks nothing of it."""
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 500
    html = response.content.decode()
    assert _heading(html) == "我们这边出了点问题"
    assert layout in html and css in html
    assert f'href="{home}"' in html
    # the reference people can quote is the request id the logs carry
    assert f'<code translate="no">{response["X-Request-ID"]}</code>' in html
    assert "Connection refused" not in html
    assert _ui_english(html) == set()


def test_server_error_in_english(error_urls):
    response = Client(raise_request_exception=False).get("/en/_broken/")
    assert _heading(response.content.decode()) == "Something went wrong on our side"


def test_api_errors_stay_json(client, error_urls):
    missing = client.get("/api/v1/no-such-endpoint/", headers={"Accept-Language": "zh-CN"})
    assert missing.status_code == 404
    assert missing.json() == {"error": {"status": 404, "code": "not_found", "message": "未找到。"}}
    broken = Client(raise_request_exception=False).get("/api/v1/_broken/")
    assert broken.status_code == 500 and broken["Content-Type"] == "application/json"
    assert broken.json()["error"]["code"] == "error"
