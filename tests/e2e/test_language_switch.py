"""In a real browser: switch the language and stay on the same page, whatever the browser's
own language and in every part of the site."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from marketplace.demo import seed_demo
from tests.catalog.storefront_catalog import build_shop
from tests.factories import MembershipFactory, OperatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
def test_switch_to_chinese_and_back(page, screenshot):
    seed_demo()
    page.goto("/en/")
    assert page.locator("h1").inner_text() == "Shop the world, duties shown up front"

    page.get_by_role("link", name="中文").click()
    page.wait_for_url("**/zh-hans/")
    assert page.locator("h1").inner_text() == "买遍全球，税费提前可见"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_text("奇异自然").is_visible()
    screenshot("zh-hans")

    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/")
    assert page.locator("h1").inner_text() == "Shop the world, duties shown up front"
    assert page.get_by_text("Kiwi Nature Co.").is_visible()


@pytest.mark.django_db(transaction=True)
def test_switch_keeps_you_on_the_same_page(page):
    page.goto("/en/accounts/login/")
    page.get_by_role("link", name="中文").click()
    page.wait_for_url("**/zh-hans/accounts/login/")
    assert page.locator("h1").inner_text() == "登录"


def _fresh_browser(browser, live_server, locale: str, user=None):
    """A new browser context (no cookies) whose Accept-Language is ``locale``, signed in as
    ``user`` by handing it a session made on the server (no language cookie)."""
    context = browser.new_context(base_url=live_server.url, locale=locale)
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("browser_locale", "start", "link", "landing", "storefront_heading", "admin_heading"),
    [
        ("en-US", "zh-hans", "English", "en", "Clover Honey", "Operations"),
        ("zh-CN", "en", "中文", "zh-hans", "三叶草蜂蜜", "运营"),
    ],
)
def test_switch_from_a_fresh_browser_lands_on_the_other_language(
    browser, live_server, browser_locale, start, link, landing, storefront_heading, admin_heading
):
    """The browser asks for one language, the page is in the other, and the switch goes to
    the page's own URL in the language clicked (query string kept), in the storefront, the
    seller portal and the back office. It used to send you back to where you were."""
    shop = build_shop()
    owner = MembershipFactory(merchant=shop.store).user
    operator = OperatorFactory()
    clover = f"/p/{shop.clover.pk}/{shop.clover.slug}/"
    team_heading = {"en": "Team", "zh-hans": "团队"}[landing]
    for user, path, heading in [
        (None, f"{clover}?sku=1", storefront_heading),
        (owner, "/seller/team/", team_heading),
        (operator, "/ops/", admin_heading),
    ]:
        context, page = _fresh_browser(browser, live_server, browser_locale, user)
        page.goto(f"/{start}{path}")
        assert page.locator("html").get_attribute("lang") == start
        page.locator(".lang-switch").get_by_role("link", name=link).click()
        page.wait_for_url(f"{live_server.url}/{landing}{path}")
        assert page.locator("html").get_attribute("lang") == landing, path
        expect(page.locator("h1, #content h1").filter(has_text=heading).first).to_be_visible()
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert cookies[settings.LANGUAGE_COOKIE_NAME] == landing
        context.close()
