"""Orders API: the shopper's (/api/v1/orders/) and the seller's (/api/v1/seller/orders/),
with the permission matrix every order endpoint answers (anonymous, the shopper, another
shopper, each staff role of the merchant, another merchant, an operator)."""

from __future__ import annotations

import pytest
from django.test import Client

from merchants.roles import Role
from orders.models import Order, RefundRequest
from tests.factories import MembershipFactory, OperatorFactory, OrderFactory, UserFactory
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db

WHO = [
    "anonymous",
    "shopper",
    "other_shopper",
    "owner",
    "manager",
    "staff",
    "other_merchant",
    "operator",
]
SELLERS = {"owner", "manager", "staff"}
DENIED = (401, 403)


@pytest.fixture
def cast(client_for):
    order = OrderFactory(clearance_mode="direct", customs_code="9610")
    merchant = order.merchant
    people = {
        "shopper": order.user,
        "other_shopper": UserFactory(),
        "owner": MembershipFactory(merchant=merchant, role=Role.OWNER).user,
        "manager": MembershipFactory(merchant=merchant, role=Role.MANAGER).user,
        "staff": MembershipFactory(merchant=merchant, role=Role.STAFF).user,
        "other_merchant": MembershipFactory(role=Role.OWNER).user,
        "operator": OperatorFactory(),
    }
    clients = {who: client_for(user) for who, user in people.items()}
    clients["anonymous"] = Client()
    return order, people, clients


def api(order, path=""):
    return f"/api/v1/orders/{order.number}/{path}"


def seller(order, path=""):
    return f"/api/v1/seller/orders/{order.number}/{path}"


@pytest.mark.parametrize("who", WHO)
def test_shopper_endpoints_matrix(cast, who):
    order, _people, clients = cast
    client = clients[who]
    listed = client.get("/api/v1/orders/")
    detail = client.get(api(order))
    Order.objects.filter(pk=order.pk).update(status=Order.Status.DELIVERED)
    asked = client.post(
        api(order, "refund-requests/"), {"reason": "broken jar"}, content_type="application/json"
    )
    if who == "anonymous":
        assert {listed.status_code, detail.status_code, asked.status_code} <= set(DENIED)
        return
    assert listed.status_code == 200
    numbers = [o["number"] for o in listed.json()["results"]]
    if who == "shopper":
        assert numbers == [order.number]
        assert detail.status_code == 200 and detail.json()["number"] == order.number
        assert asked.status_code == 201 and RefundRequest.objects.filter(order=order).exists()
    else:  # every other person, staff of the merchant and operators included: not theirs
        assert numbers == []
        assert detail.status_code == 404 and asked.status_code == 404
        assert not RefundRequest.objects.exists()


@pytest.mark.parametrize("who", WHO)
def test_seller_endpoints_matrix(cast, who):
    order, _people, clients = cast
    client = clients[who]
    request = RefundRequest.objects.create(order=order, requested_by=order.user, reason="late")
    answers = {
        "list": client.get("/api/v1/seller/orders/"),
        "detail": client.get(seller(order)),
        "note": client.put(
            seller(order, "note/"), {"note": "fragile"}, content_type="application/json"
        ),
        "accept": client.post(seller(order, "accept/")),
        "decline": client.post(
            seller(order, f"refund-requests/{request.pk}/decline/"),
            {"reason": "no"},
            content_type="application/json",
        ),
        # packing is fulfilment's one door (logistics/fulfilment/api/seller.py)
        "pack": client.post(
            "/api/v1/seller/shipments/", {"order": order.number}, content_type="application/json"
        ),
    }
    codes = {name: r.status_code for name, r in answers.items()}
    if codes["pack"] == 201:
        codes["pack"] = 200
    order.refresh_from_db()
    if who in SELLERS:
        assert codes == dict.fromkeys(answers, 200)
        assert order.number in [o["number"] for o in answers["list"].json()["results"]]
        assert order.status == "packed" and order.merchant_note == "fragile"
        return
    if who == "other_merchant":
        assert codes["list"] == 200 and answers["list"].json()["results"] == []
        assert {c for name, c in codes.items() if name != "list"} == {404}
    else:  # not a member of any merchant: shoppers, operators (they use the back office)
        assert set(codes.values()) <= set(DENIED), codes
    assert order.status == "paid" and order.merchant_note == "" and order.accepted_at is None
    request.refresh_from_db()
    assert request.status == "open"


def test_every_seller_order_endpoint_is_a_404_for_another_merchant(tenants):
    order = OrderFactory(merchant=tenants.a.merchant)
    request = RefundRequest.objects.create(order=order, requested_by=order.user, reason="late")
    assert_cross_tenant_404(seller(order), owner=tenants.a.client, intruder=tenants.b.client)
    for path, method in (
        ("accept/", "post"),
        ("note/", "put"),
        (f"refund-requests/{request.pk}/decline/", "post"),
    ):
        response = getattr(tenants.b.client, method)(
            seller(order, path), {"note": "x", "reason": "x"}, content_type="application/json"
        )
        assert response.status_code == 404, path


def test_the_order_as_the_app_sees_it(cast):
    order, _people, clients = cast
    body = clients["shopper"].get(api(order)).json()
    assert body["total"] == {"amount": "237.11", "currency": "CNY"}
    assert body["shipping"]["method"] == "SF Standard" and body["shipping"]["max_days"] == 4
    assert body["duties"]["collected_at_checkout"] is True
    taxes = body["duties"]["lines"][0]["taxes"]
    assert [t["rate"] for t in taxes] == ["9.1%", "0.9%"]
    assert body["actions"] == {"cancel": True, "request_refund": False}
    assert "note" not in body and "allocations" not in body["lines"][0]


def test_a_refused_request_names_its_rule(cast):
    order, _people, clients = cast
    response = clients["shopper"].post(
        api(order, "refund-requests/"),
        {"reason": "changed my mind"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["code"] == "order_not_refundable"


def test_bonded_goods_not_cleared_cannot_be_packed_through_the_api(tenants):
    order = OrderFactory(merchant=tenants.a.merchant)
    response = tenants.a.client.post(
        "/api/v1/seller/shipments/", {"order": order.number}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["code"] == "not_cleared"


def test_the_seller_list_filters(tenants):
    paid = OrderFactory(merchant=tenants.a.merchant)
    direct = OrderFactory(merchant=tenants.a.merchant, clearance_mode="direct")
    body = tenants.a.client.get("/api/v1/seller/orders/", {"mode": "direct"}).json()
    assert [o["number"] for o in body["results"]] == [direct.number]
    body = tenants.a.client.get("/api/v1/seller/orders/", {"q": paid.number}).json()
    assert [o["number"] for o in body["results"]] == [paid.number]
