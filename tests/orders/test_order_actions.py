"""What shoppers, merchants' teams and operators do with a paid order, through its doors
(pages and API), against localstripe: the shopper cancels until packing, the team refunds
part or all of it and grants refund requests, an operator refunds from the back office; the
shopper is emailed each time. Another merchant reaches none of it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from catalog.models import Stock
from merchants.roles import Role
from orders.flow import ORDER_FLOW
from orders.models import Order, OrderEvent, RefundRequest
from payments.models import Refund
from tests.factories import MembershipFactory
from tests.orders.checkout_helpers import place, shopper_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(world, localstripe, pay, django_capture_on_commit_callbacks):
    """A shopper's paid checkout of Kiwi Nature's honey (bonded) and balm (direct mail)."""
    user, cart = shopper_with((world.honey, 2), (world.balm, 1))
    checkout = place(user, cart)
    pay(checkout)
    honey = checkout.orders.get(clearance_mode="bonded")
    return user, checkout, honey


def test_paying_emails_the_shopper_once_per_order(paid):
    _user, checkout, _honey = paid
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == checkout.orders.count() == 2
    assert all(checkout.email in m.to for m in mail.outbox)


def test_the_shopper_cancels_a_paid_order_and_gets_the_money_back(
    paid, client_for, django_capture_on_commit_callbacks, world
):
    user, _checkout, honey = paid
    mail.outbox.clear()
    browser = client_for(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            reverse("account_orders:cancel", args=[honey.number]), {"reason": "changed my mind"}
        )
    assert response.status_code == 302
    honey.refresh_from_db()
    assert honey.status == Order.Status.CANCELLED and honey.refunded_total == honey.total
    refund = Refund.objects.get(reference=f"{honey.number}:cancel")
    assert refund.amount == honey.total and refund.status == "succeeded"
    stock = Stock.objects.get(pk=world.stock["honey"].pk)
    assert stock.reserved == 0 and stock.on_hand == 10  # the two units are back on sale
    assert [m.subject for m in mail.outbox] and honey.number in mail.outbox[0].body
    page = browser.get(reverse("account_orders:detail", args=[honey.number])).content.decode()
    assert "Cancelled" in page


def test_nobody_else_cancels_it_and_the_shopper_cannot_once_packed(
    paid, client_for, world, django_capture_on_commit_callbacks
):
    user, checkout, honey = paid
    balm = checkout.orders.get(clearance_mode="direct")
    stranger = shopper_with()[0]
    response = client_for(stranger).post(reverse("account_orders:cancel", args=[balm.number]))
    assert response.status_code == 404
    ORDER_FLOW.apply(balm, "pack", by=None, event_model=OrderEvent)
    browser = client_for(user)
    response = browser.post(reverse("account_orders:cancel", args=[balm.number]))
    balm.refresh_from_db()
    assert balm.status == Order.Status.PACKED
    page = browser.get(response["Location"]).content.decode()
    assert "ask for a refund" in page
    # the API says the same with its code
    api = browser.post(f"/api/v1/orders/{balm.number}/cancel/", {}, "application/json")
    assert api.status_code == 400
    assert api.json()["error"]["errors"][0]["code"] == "order_not_cancellable"


def test_the_merchants_team_refunds_part_of_an_order_from_the_portal(
    paid, client_for, django_capture_on_commit_callbacks
):
    _user, checkout, _honey = paid
    balm = checkout.orders.get(clearance_mode="direct")
    team = client_for(MembershipFactory(merchant=balm.merchant, role=Role.MANAGER).user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        team.post(
            reverse("seller_orders:refund", args=[balm.number]),
            {"amount": "10.00", "reason": "scratched lid"},
        )
    balm.refresh_from_db()
    assert balm.refunded_total == Decimal("10.00") and balm.status == Order.Status.PAID
    assert Refund.objects.get(reference=f"{balm.number}:part1").amount == Decimal("10.00")
    assert len(mail.outbox) == 1 and "10" in mail.outbox[0].body
    # more than is left is refused with the amount left, nothing refunded
    response = team.post(
        reverse("seller_orders:refund", args=[balm.number]),
        {"amount": str(balm.total), "reason": "again"},
        follow=True,
    )
    assert "left to refund" in response.content.decode()
    balm.refresh_from_db()
    assert balm.refunded_total == Decimal("10.00")


def test_another_merchant_can_neither_refund_nor_grant_a_request(
    paid, client_for, django_capture_on_commit_callbacks
):
    user, checkout, honey = paid
    ORDER_FLOW.apply(honey, "declare", by=None, event_model=OrderEvent)
    other = client_for(MembershipFactory(role=Role.OWNER).user)
    request = RefundRequest.objects.create(order=honey, requested_by=user, reason="late")
    for url, data in (
        (reverse("seller_orders:refund", args=[honey.number]), {"reason": "x"}),
        (
            reverse("seller_orders:approve_refund_request", args=[honey.number, request.pk]),
            {},
        ),
        (f"/api/v1/seller/orders/{honey.number}/refund/", {"reason": "x"}),
        (f"/api/v1/seller/orders/{honey.number}/refund-requests/{request.pk}/approve/", {}),
    ):
        assert other.post(url, data).status_code == 404, url
    honey.refresh_from_db()
    assert honey.refunded_total == 0
    assert not Refund.objects.filter(reference__startswith=honey.number).exists()


def test_granting_a_refund_request_refunds_what_was_asked(
    paid, client_for, django_capture_on_commit_callbacks
):
    user, checkout, _honey = paid
    balm = checkout.orders.get(clearance_mode="direct")
    ORDER_FLOW.apply(balm, "pack", by=None, event_model=OrderEvent)
    ORDER_FLOW.apply(balm, "ship", by=None, event_model=OrderEvent)
    shopper = client_for(user)
    shopper.post(
        reverse("account_orders:refund_request", args=[balm.number]),
        {"amount": "5.00", "reason": "one arrived melted"},
    )
    request = RefundRequest.objects.get(order=balm)
    team = client_for(MembershipFactory(merchant=balm.merchant, role=Role.STAFF).user)
    with django_capture_on_commit_callbacks(execute=True):
        response = team.post(
            f"/api/v1/seller/orders/{balm.number}/refund-requests/{request.pk}/approve/"
        )
    assert response.status_code == 200
    request.refresh_from_db()
    balm.refresh_from_db()
    assert request.status == RefundRequest.Status.APPROVED
    assert balm.refunded_total == Decimal("5.00") and balm.status == Order.Status.SHIPPED
    # answered once: a second grant changes nothing
    again = team.post(f"/api/v1/seller/orders/{balm.number}/refund-requests/{request.pk}/approve/")
    assert again.status_code == 400
    assert again.json()["error"]["errors"][0]["code"] == "refund_request_decided"
    balm.refresh_from_db()
    assert balm.refunded_total == Decimal("5.00")


def test_an_operator_refunds_the_rest_from_the_back_office(
    paid, client_for, operator, django_capture_on_commit_callbacks
):
    _user, checkout, _honey = paid
    balm = checkout.orders.get(clearance_mode="direct")
    for move in ("pack", "ship", "deliver"):
        ORDER_FLOW.apply(balm, move, by=None, event_model=OrderEvent)
    ops = client_for(operator)
    with django_capture_on_commit_callbacks(execute=True):
        ops.post(
            reverse("admin:orders_order_refund", args=[balm.pk]), {"reason": "lost in transit"}
        )
    balm.refresh_from_db()
    assert balm.status == Order.Status.REFUNDED and balm.refunded_total == balm.total
    assert Refund.objects.get(reference=f"{balm.number}:rest").amount == balm.total
    page = ops.get(reverse("admin:orders_order_change", args=[balm.pk])).content.decode()
    assert "lost in transit" in page
