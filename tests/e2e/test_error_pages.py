"""In a real browser: the Chinese 404 and 403 pages are Chinese and look like the site
(its stylesheet applied: the card, the brand colour, the area's header)."""

import pytest
from playwright.sync_api import expect

from merchants.roles import Role
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_language_switch import _fresh_browser
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

BRAND = "rgb(179, 38, 30)"  # --brand in static/css/silkway.css


def _looks_like_the_site(page):
    card = page.locator(".error-page")
    expect(card).to_be_visible()
    assert card.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"
    assert card.evaluate("e => getComputedStyle(e).borderRadius") == "10px"
    status = page.locator(".error-status")
    assert status.evaluate("e => getComputedStyle(e).color") == BRAND
    assert page.locator(".site-header .brand").inner_text() == "丝路"


@pytest.mark.django_db(transaction=True)
def test_chinese_not_found_page(browser, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = _fresh_browser(browser, live_server, "en-US")
    response = page.goto("/zh-hans/no-such-page/")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    expect(page.locator("h1")).to_have_text("页面未找到")
    expect(page.get_by_text("此地址没有页面：链接可能有误，或页面已移动或删除。")).to_be_visible()
    _looks_like_the_site(page)
    page.screenshot(path=str(ARTIFACTS / "error-404-zh-hans.png"), full_page=True)
    page.get_by_role("link", name="返回首页").click()
    page.wait_for_url(f"{live_server.url}/zh-hans/")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_chinese_forbidden_page_in_the_portal(browser, live_server):
    staff = MembershipFactory(role=Role.STAFF).user
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = _fresh_browser(browser, live_server, "zh-CN", staff)
    response = page.goto("/zh-hans/seller/payout/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("无权访问此页面")
    expect(page.get_by_text("商家的所有者可以更改您的角色")).to_be_visible()
    assert "Forbidden" not in page.content()
    _looks_like_the_site(page)
    page.screenshot(path=str(ARTIFACTS / "error-403-portal-zh-hans.png"), full_page=True)
    # the portal's own navigation, so the way on is one click
    nav = page.get_by_role("navigation", name="商家中心")
    nav.locator("summary", has_text="商家").click()  # the merchant's menu
    expect(nav.get_by_role("link", name="团队")).to_be_visible()
    page.get_by_role("link", name="返回商家中心").click()
    page.wait_for_url(f"{live_server.url}/zh-hans/seller/")
    context.close()
