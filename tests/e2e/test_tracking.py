"""In a real browser, in Chinese: a shopper tracks an order by its number and email and reads
the parcel's timeline (statuses in Chinese, the carrier's words beside them)."""

import pytest
from playwright.sync_api import expect

from logistics.fulfilment.services import shipment_create
from logistics.fulfilment.services.tracking import tracking_events_record
from tests.fulfilment.helpers import event, paid_order, simex

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
def test_a_shopper_reads_the_tracking_timeline_in_chinese(browser, live_server):
    c = simex("simex")
    order = paid_order(carrier_obj=c)
    parcel = shipment_create(order=order, by=None).parcels.get()
    w = parcel.waybill_number
    tracking_events_record(
        carrier=c,
        events=[
            event(w, "in_transit", 1, "Auckland", "Picked up by courier"),
            event(w, "customs", 30, "上海浦东海关", "Held by customs for inspection"),
        ],
        source="webhook",
    )
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.goto("/zh-hans/track/")
    page.get_by_label("订单号").fill(order.number)
    page.get_by_label("下单邮箱").fill("nobody@example.com")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("没有与此订单号和邮箱匹配的订单。")).to_be_visible()
    page.get_by_label("下单邮箱").fill(order.checkout.email.upper())
    page.get_by_role("button", name="查询").click()
    timeline = page.locator("[data-parcel]")
    expect(timeline.locator("[data-parcel-status]")).to_have_text("清关中")
    first = timeline.locator("li").first
    expect(first).to_contain_text("清关中")
    expect(first).to_contain_text("上海浦东海关")
    expect(first).to_contain_text("Held by customs for inspection")
    expect(timeline.locator("li").nth(1)).to_contain_text("运输中")
    expect(page.locator("[data-promise]")).to_contain_text("预计")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_shopper_reads_the_timeline_on_their_order_page_in_chinese(signed_in):
    c = simex("simex")
    order = paid_order(carrier_obj=c)
    parcel = shipment_create(order=order, by=None).parcels.get()
    w = parcel.waybill_number
    tracking_events_record(
        carrier=c,
        events=[
            event(w, "in_transit", 1, "Auckland", "Picked up by courier"),
            event(w, "out_for_delivery", 50, "上海", "Out for delivery"),
        ],
        source="webhook",
    )
    context, page = signed_in(order.user, locale="zh-CN")
    page.goto(f"/zh-hans/account/orders/{order.number}/")
    timeline = page.locator("[data-tracking] [data-parcel]")
    expect(timeline).to_contain_text(w)
    expect(timeline.locator("[data-parcel-status]")).to_have_text("派送中")
    expect(timeline.locator("li").first).to_contain_text("上海")
    expect(timeline.locator("li").nth(1)).to_contain_text("运输中")
    context.close()
