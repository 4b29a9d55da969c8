"""In a real browser: a shopper asks, on their order page in Chinese, to return one of the
units they received; the merchant's owner approves it in the seller portal; the shopper's
order page then shows the approval with the return waybill and the return label."""

import pytest
from playwright.sync_api import expect

from merchants.roles import Role
from orders.flow import ORDER_FLOW
from orders.models import OrderEvent
from tests.factories import MembershipFactory
from tests.fulfilment.helpers import paid_order

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
def test_a_shopper_asks_for_a_return_and_the_merchant_approves_it(signed_in):
    order = paid_order(quantities=(2, 1))
    for move in ("pack", "ship", "deliver"):
        ORDER_FLOW.apply(order, move, by=None, event_model=OrderEvent)
    first = order.lines.order_by("pk").first()

    context, page = signed_in(order.user, locale="zh-CN")
    page.goto(f"/zh-hans/account/orders/{order.number}/")
    form = page.locator("form.return-request-form")
    expect(form).to_contain_text("申请退货")
    form.locator(f"input[name=line_{first.pk}]").fill("1")
    form.get_by_label("退货原因").fill("尺寸太小")
    form.get_by_role("button", name="提交退货申请").click()
    expect(page.get_by_text("您的退货申请已提交：卖家将在此页面答复。")).to_be_visible()
    returned = page.locator("[data-return]")
    expect(returned).to_have_attribute("data-status", "requested")
    expect(returned).to_contain_text(f"{first.sku_code} × 1")
    context.close()

    owner = MembershipFactory(merchant=order.merchant, role=Role.OWNER).user
    context, page = signed_in(owner)
    page.goto("/en/seller/")
    page.get_by_role("link", name="Returns").first.click()
    expect(page.locator("table.returns")).to_contain_text(order.number)
    page.locator("table.returns a", has_text="R").first.click()
    expect(page.locator(".reason")).to_have_text("尺寸太小")
    page.get_by_role("button", name="Approve the return").click()
    expect(
        page.get_by_text("Return approved: the shopper is emailed the return label.")
    ).to_be_visible()
    waybill = page.locator(".return-waybill code")
    expect(waybill).not_to_be_empty()
    number = waybill.inner_text()
    context.close()

    context, page = signed_in(order.user, locale="zh-CN")
    page.goto(f"/zh-hans/account/orders/{order.number}/")
    returned = page.locator("[data-return]")
    expect(returned).to_have_attribute("data-status", "approved")
    expect(returned).to_contain_text(number)
    expect(returned.get_by_role("link", name="打印退货面单（PDF）")).to_be_visible()
    context.close()
