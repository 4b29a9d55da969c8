"""In a real browser: a merchant's owner sets free shipping in the Chinese seller portal,
and an operator prices a parcel against it in the back office's "try shipping"."""

import pytest
from playwright.sync_api import expect

from logistics.shipping.models import MerchantShipping
from tests.factories import MembershipFactory, OperatorFactory, WarehouseFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
def test_owner_sets_free_shipping_and_the_operator_prices_a_parcel_with_it(signed_in):
    membership = MembershipFactory()
    merchant = membership.merchant
    WarehouseFactory(kind="bonded", country="CN", code="e2e-bonded", name_en="E2E Bonded")

    # 1. The owner opens the portal in Chinese and follows the "包邮" link.
    context, page = signed_in(membership.user, "zh-CN")
    page.goto("/zh-hans/seller/")
    page.get_by_role("link", name="包邮", exact=True).click()
    expect(page.get_by_role("heading", name="包邮", exact=True)).to_be_visible()
    expect(page.get_by_text("您对每笔订单都收取运费。")).to_be_visible()
    expect(page.get_by_text("顺丰标快").first).to_be_visible()  # a method it would cover
    page.get_by_label("包邮门槛", exact=True).fill("199")
    page.get_by_label("币种", exact=True).select_option("CNY")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("包邮门槛已保存。")).to_be_visible()
    expect(page.get_by_text("订单商品金额满 ¥199.00 即包邮。")).to_be_visible()
    context.close()
    terms = MerchantShipping.objects.get(merchant=merchant)
    assert str(terms.free_shipping_threshold) == "199.00"

    # 2. An operator tries a 1.2 kg parcel to Zhejiang with that threshold, paid in USD.
    context, ops = signed_in(OperatorFactory(), "en-US")
    ops.goto("/en/ops/logistics/shippingroute/")
    ops.get_by_role("link", name="Try shipping").click()
    ops.locator("[name=warehouse]").select_option(label="E2E Bonded")
    ops.locator("[name=country]").fill("CN")
    ops.locator("[name=province]").select_option("CN-ZJ")
    ops.locator("[name=goods_subtotal]").fill("150")
    ops.locator("[name=free_shipping_threshold]").fill("199")
    ops.locator("[name=currency]").select_option("USD")
    ops.locator("[name=lines-0-quantity]").fill("2")
    ops.locator("[name=lines-0-unit_weight_kg]").fill("0.6")
    ops.get_by_role("button", name="Price it").click()
    table = ops.locator("#shipping-options")
    expect(table.get_by_text("China Post · China Post Parcel")).to_be_visible()
    expect(table.get_by_text("$1.55")).to_be_visible()  # ¥11.00 at 7.10, under the threshold
    ops.locator("[name=goods_subtotal]").fill("199")
    ops.get_by_role("button", name="Price it").click()
    expect(table.get_by_text("(free shipping)").first).to_be_visible()
    context.close()
