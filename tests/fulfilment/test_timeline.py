"""The tracking timeline the order page embeds, in the shopper's language."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from logistics.fulfilment.selectors import order_tracking
from logistics.fulfilment.services import shipment_create
from logistics.fulfilment.services.tracking import tracking_events_record

from .helpers import event, paid_order, simex

pytestmark = pytest.mark.django_db


@pytest.fixture
def tracked():
    c = simex("simex")
    order = paid_order(carrier_obj=c)
    parcel = shipment_create(order=order, by=None).parcels.get()
    w = parcel.waybill_number
    tracking_events_record(
        carrier=c,
        events=[
            event(w, "in_transit", 1, "Auckland", "Picked up by courier"),
            event(w, "customs", 30, "Shanghai PVG", "Held by customs for inspection"),
            event(w, "no-such-status", 31),
        ],
        source="webhook",
    )
    return order, parcel


def render(order) -> str:
    return Template("{% load tracking %}{% order_tracking order %}").render(
        Context({"order": order})
    )


def test_the_timeline_speaks_the_shoppers_language_with_the_carriers_words_beside(
    tracked, django_assert_max_num_queries
):
    order, parcel = tracked
    with translation.override("zh-hans"), django_assert_max_num_queries(2):
        html = render(order)
    assert "清关中" in html and "运输中" in html  # normalised statuses, translated
    assert "Held by customs for inspection" in html  # the carrier's text kept
    assert parcel.waybill_number in html
    assert html.index("清关中") < html.index("运输中")  # newest first
    assert "no-such-status" not in html  # an unmapped event is not shown to shoppers
    with translation.override("en"):
        assert "At customs" in render(order)


def test_the_promise_and_whether_it_is_kept(tracked):
    order, _ = tracked
    paid = timezone.localdate(order.paid_at)
    tracking = order_tracking(order, today=paid)
    assert (tracking.promised_from, tracking.promised_by) == (
        paid + timedelta(days=3),
        paid + timedelta(days=5),
    )
    assert tracking.on_time is None  # on its way, within the window
    assert order_tracking(order, today=paid + timedelta(days=6)).on_time is False
    order.shipping = {"earliest": "2026-12-01", "latest": "2026-12-04"}
    assert order_tracking(order, today=date(2026, 12, 2)).promised_by == date(2026, 12, 4)


def test_an_order_delivered_in_the_window_is_on_time(tracked):
    order, parcel = tracked
    when = (order.paid_at + timedelta(days=4)).isoformat()
    tracking_events_record(
        carrier=parcel.carrier,
        events=[{"waybill": parcel.waybill_number, "status": "delivered", "time": when}],
        source="webhook",
    )
    tracking = order_tracking(order)
    assert tracking.on_time is True
    with translation.override("zh-hans"):
        assert "准时" in render(order)


def test_the_public_tracking_page_is_throttled_per_address(client, tracked):
    order, _parcel = tracked
    wrong = {"number": order.number, "email": "nobody@example.com"}
    answers = [client.post("/en/track/", wrong).status_code for _ in range(10)]
    assert answers == [200] * 10
    refused = client.post(
        "/zh-hans/track/", {"number": order.number, "email": order.checkout.email}
    )
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert order.number not in refused.content.decode().split("<form")[0]
    assert "次数过多" in refused.content.decode()
    # another address is not held back
    other = client.post("/en/track/", wrong, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200


def test_the_shoppers_order_page_shows_the_timeline_in_their_language(tracked, client_for):
    order, parcel = tracked
    page = client_for(order.user).get(f"/zh-hans/account/orders/{order.number}/")
    html = page.content.decode()
    assert "data-tracking" in html and parcel.waybill_number in html
    assert "清关中" in html and "Held by customs for inspection" in html
