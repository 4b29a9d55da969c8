"""Returns end to end through their doors (the shopper's and the seller's API), against
localstripe and PostgreSQL: a request within the merchant's window, approval with a return
waybill, receipt with inspection (restock or write-off through the stock services) and the
refund of the returned lines; refusals outside the window; another merchant reaches none of
it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Stock, StockAdjustment
from logistics.returns.models import ReturnPolicy, ReturnRequest
from marketplace.money import round_money
from merchants.roles import Role
from orders.models import Order, OrderEvent
from payments.models import Refund
from tests.factories import MembershipFactory
from tests.orders.checkout_helpers import place, shopper_with
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def url(order) -> str:
    return f"/api/v1/orders/{order.number}/returns/"


def ask(client, order, lines, reason="does not suit me"):
    body = {"lines": [{"line": line.pk, "quantity": q} for line, q in lines], "reason": reason}
    return client.post(url(order), body, content_type="application/json")


def code(response) -> str:
    return response.json()["error"]["errors"][0]["code"]


def line_amount(line, quantity) -> Decimal:
    return round_money(
        line.unit_price_charged * quantity + line.duty * quantity / line.quantity, "CNY"
    )


def test_request_approve_receive_restock_and_write_off_then_a_partial_refund(
    delivered, client_for, world, deliver, django_capture_on_commit_callbacks
):
    user, order, balm_line, soap_line, soap = delivered
    shopper = client_for(user)
    asked = ask(shopper, order, [(balm_line, 2), (soap_line, 1)])
    assert asked.status_code == 201, asked.content
    body = asked.json()
    assert body["status"] == "requested" and len(body["lines"]) == 2
    request = ReturnRequest.objects.get(pk=body["id"])
    assert request.merchant_id == world.kiwi.pk

    team = client_for(MembershipFactory(merchant=world.kiwi, role=Role.STAFF).user)
    approved = team.post(f"/api/v1/seller/returns/{request.pk}/approve/")
    assert approved.status_code == 200, approved.content
    number = approved.json()["waybill_number"]
    assert number and number in approved.json()["instructions"]
    # the carrier's numbering: the next return gets another number
    assert shopper.get(url(order)).json()[0]["waybill_number"] == number

    balm_before = Stock.objects.get(sku=world.balm, warehouse=world.auckland).on_hand
    soap_before = Stock.objects.get(sku=soap, warehouse=world.auckland).on_hand
    lines = {line["order_line"]: line["id"] for line in approved.json()["lines"]}
    with django_capture_on_commit_callbacks(execute=True):
        received = team.post(
            f"/api/v1/seller/returns/{request.pk}/receive/",
            {
                "lines": [
                    {"line": lines[balm_line.pk], "outcome": "restock"},
                    {"line": lines[soap_line.pk], "outcome": "write_off"},
                ]
            },
            content_type="application/json",
        )
    assert received.status_code == 200, received.content
    assert received.json()["status"] == "received"
    assert {ln["sku"]: ln["outcome"] for ln in received.json()["lines"]} == {
        balm_line.sku_code: "restock",
        soap_line.sku_code: "write_off",
    }
    # restocked units are on hand again; written-off ones came in and left the books
    assert Stock.objects.get(sku=world.balm, warehouse=world.auckland).on_hand == balm_before + 2
    assert Stock.objects.get(sku=soap, warehouse=world.auckland).on_hand == soap_before
    reasons = list(
        StockAdjustment.objects.filter(stock__sku=soap)
        .order_by("pk")
        .values_list("reason", flat=True)
    )
    assert reasons[-2:] == [StockAdjustment.Reason.RETURN, StockAdjustment.Reason.DAMAGE]
    # the returned lines' amounts are refunded, nothing more
    expected = line_amount(balm_line, 2) + line_amount(soap_line, 1)
    order.refresh_from_db()
    assert order.refunded_total == expected and order.status == Order.Status.DELIVERED
    assert Decimal(received.json()["refunded"]) == expected
    refund = Refund.objects.get(payment__reference=order.checkout.number)
    assert refund.amount == expected and refund.status == Refund.Status.SUCCEEDED
    # received once: a second receipt is refused
    again = team.post(
        f"/api/v1/seller/returns/{request.pk}/receive/",
        {"lines": [{"line": lines[balm_line.pk], "outcome": "restock"}]},
        content_type="application/json",
    )
    assert again.status_code in (400, 409)


def test_returning_every_unit_refunds_the_rest_and_moves_the_order(
    delivered, client_for, world, django_capture_on_commit_callbacks
):
    user, order, balm_line, soap_line, _soap = delivered
    shopper = client_for(user)
    request_id = ask(shopper, order, [(balm_line, 3), (soap_line, 2)]).json()["id"]
    team = client_for(MembershipFactory(merchant=world.kiwi, role=Role.OWNER).user)
    lines = team.post(f"/api/v1/seller/returns/{request_id}/approve/").json()["lines"]
    with django_capture_on_commit_callbacks(execute=True):
        done = team.post(
            f"/api/v1/seller/returns/{request_id}/receive/",
            {"lines": [{"line": ln["id"], "outcome": "restock"} for ln in lines]},
            content_type="application/json",
        )
    assert done.status_code == 200, done.content
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and order.refunded_total == order.total
    assert OrderEvent.objects.filter(subject=order, transition="refund").exists()
    # nothing is left to return
    assert code(ask(shopper, order, [(balm_line, 1)])) == "return_not_delivered"


def test_the_window_is_the_merchants_and_closes(delivered, client_for, world):
    user, order, balm_line, _soap_line, _soap = delivered
    shopper = client_for(user)
    OrderEvent.objects.filter(subject=order, transition="deliver").update(
        created_at=timezone.now() - timedelta(days=8)
    )
    refused = ask(shopper, order, [(balm_line, 1)])
    assert refused.status_code == 400 and code(refused) == "return_window_closed"
    assert "7" in refused.json()["error"]["errors"][0]["message"]
    assert not ReturnRequest.objects.exists()
    ReturnPolicy.objects.create(merchant=world.kiwi, window_days=30)
    assert ask(shopper, order, [(balm_line, 1)]).status_code == 201


def test_refusals_before_delivery_and_beyond_what_was_bought(
    world, localstripe, pay, client_for, delivered
):
    user, order, balm_line, _soap_line, _soap = delivered
    shopper = client_for(user)
    assert code(ask(shopper, order, [(balm_line, 4)])) == "return_quantity"
    assert ask(shopper, order, [(balm_line, 2)]).status_code == 201
    assert code(ask(shopper, order, [(balm_line, 2)])) == "return_quantity"  # 1 left
    other_user, cart = shopper_with((world.balm, 1))
    checkout = place(other_user, cart)
    pay(checkout)
    paid = checkout.orders.get()
    assert code(ask(client_for(other_user), paid, [(paid.lines.get(), 1)])) == (
        "return_not_delivered"
    )


def test_declining_says_why(delivered, client_for, world):
    user, order, balm_line, _soap_line, _soap = delivered
    request_id = ask(client_for(user), order, [(balm_line, 1)]).json()["id"]
    team = client_for(MembershipFactory(merchant=world.kiwi, role=Role.STAFF).user)
    empty = team.post(
        f"/api/v1/seller/returns/{request_id}/decline/", {}, content_type="application/json"
    )
    assert empty.status_code == 400
    declined = team.post(
        f"/api/v1/seller/returns/{request_id}/decline/",
        {"reason": "used product"},
        content_type="application/json",
    )
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert declined.json()["decline_reason"] == "used product"
    assert client_for(user).get(url(order)).json()[0]["status"] == "declined"


def test_another_merchant_or_shopper_reaches_no_return(delivered, client_for, world):
    user, order, balm_line, _soap_line, _soap = delivered
    request_id = ask(client_for(user), order, [(balm_line, 1)]).json()["id"]
    owner = client_for(MembershipFactory(merchant=world.kiwi, role=Role.OWNER).user)
    intruder = client_for(MembershipFactory(merchant=world.tokyo, role=Role.OWNER).user)
    base = f"/api/v1/seller/returns/{request_id}/"
    assert_cross_tenant_404(base, owner=owner, intruder=intruder)
    for action in ("approve/", "decline/", "receive/"):
        response = intruder.post(base + action, {"reason": "x"}, content_type="application/json")
        assert response.status_code == 404, action
    assert intruder.get("/api/v1/seller/returns/").json()["results"] == []
    assert [r["id"] for r in owner.get("/api/v1/seller/returns/").json()["results"]] == [request_id]
    assert ReturnRequest.objects.get(pk=request_id).status == "requested"
    stranger = client_for(shopper_with((world.balm, 1))[0])
    assert stranger.get(url(order)).status_code == 404
    assert ask(stranger, order, [(balm_line, 1)]).status_code == 404
