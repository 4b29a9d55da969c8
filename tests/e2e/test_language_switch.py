"""In a real browser: switch the home page to 中文 and back, staying on the page."""

import pytest

from marketplace.demo import seed_demo

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
