"""In a real browser, in Chinese: a new shopper adds two merchants' products from their
product pages and sees the cart split into two orders, each with shipping and duties."""

import pytest

from tests.orders.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
def test_chinese_shopper_sees_two_orders_with_shipping_and_duties(page, screenshot):
    world = make_world()
    page.goto(f"/zh-hans/p/{world.honey.product_id}/{world.honey.product.slug}/")
    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_url("**/zh-hans/cart/")
    assert "已加入购物车。" in page.locator(".messages").inner_text()
    assert page.locator(".cart-link .cart-count").inner_text() == "1"

    page.goto(f"/zh-hans/p/{world.serum.product_id}/{world.serum.product.slug}/")
    quantity = page.get_by_label("数量")
    assert quantity.input_value() == "2"  # the minimum order quantity
    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_url("**/zh-hans/cart/")
    assert page.locator(".cart-link .cart-count").inner_text() == "2"

    page.locator("#id_province").select_option("CN-ZJ")
    page.get_by_role("button", name="更新").first.click()
    page.wait_for_url("**/zh-hans/cart/")

    groups = page.locator(".cart-group")
    assert groups.count() == 2
    bonded = page.locator('.cart-group[data-mode="bonded"]')
    direct = page.locator('.cart-group[data-mode="direct"]')
    assert "奇异自然" in bonded.locator("h3").inner_text()
    assert "东京美妆" in direct.locator("h3").inner_text()
    for group in (bonded, direct):
        assert group.locator(".shipping-option").count() >= 1
        assert "送达" in group.locator(".shipping-option").first.inner_text()
        assert "¥" in group.locator(".shipping-option").first.inner_text()
        duties = group.locator(".duties")
        assert duties.get_attribute("data-collected") == "yes"
        assert "跨境电商零售进口" in duties.locator(".regime").inner_text()
        assert "¥" in duties.locator(".duty-total").inner_text()
    screenshot("cart-zh")

    # change the quantity and remove a line, without JavaScript-only controls
    page.locator(f'tr[data-sku="{world.serum.pk}"] input[name="quantity"]').fill("3")
    page.locator(f'tr[data-sku="{world.serum.pk}"]').get_by_role("button", name="更新").click()
    page.wait_for_url("**/zh-hans/cart/")
    assert (
        page.locator(f'tr[data-sku="{world.serum.pk}"] input[name="quantity"]').input_value() == "3"
    )
    page.locator(f'tr[data-sku="{world.honey.pk}"]').get_by_role("button", name="删除").click()
    page.wait_for_url("**/zh-hans/cart/")
    assert page.locator(".cart-group").count() == 1
    assert page.locator(".cart-link .cart-count").inner_text() == "1"
