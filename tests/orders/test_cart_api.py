"""The shopper cart API: anonymous (session) and signed-in (session, token) shoppers, the one
error format, and another shopper's cart never visible."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from orders.models import Cart, CartLine
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CART, LINES = "/api/v1/cart/", "/api/v1/cart/lines/"


def line_url(pk: int) -> str:
    return f"/api/v1/cart/lines/{pk}/"


def add(client, sku, quantity, **extra):
    return client.post(
        LINES, {"sku": sku.pk, "quantity": quantity}, content_type="application/json", **extra
    )


def test_anonymous_shopper_keeps_a_cart_in_the_session(world):
    client = Client()
    assert client.get(CART).json()["lines"] == []
    response = add(client, world.honey, 2)
    assert response.status_code == 201
    body = response.json()
    assert [(line["sku"]["id"], line["quantity"]) for line in body["lines"]] == [
        (world.honey.pk, 2)
    ]
    assert client.get(CART).json()["count"] == 1
    assert Cart.objects.get().user is None


def test_anonymous_write_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.get(CART)  # sets the CSRF cookie
    assert add(client, world.honey, 1).status_code == 403
    token = client.cookies["csrftoken"].value
    assert add(client, world.honey, 1, HTTP_X_CSRFTOKEN=token).status_code == 201


def test_signed_in_with_a_token(world):
    shopper = UserFactory()
    token = Token.objects.create(user=shopper)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert add(client, world.serum, 3).status_code == 201
    body = client.get(CART + "?country=CN&province=CN-ZJ&currency=USD").json()
    line = body["lines"][0]
    assert line["unit_price"] == {"amount": "100.00", "currency": "CNY"}  # tier from 3
    assert line["unit_price_shown"]["currency"] == "USD"
    assert body["currency"] == "USD"
    group = body["groups"][0]
    assert group["mode"] == "direct" and group["customs_code"] == "9610"
    assert (
        group["shipping"]["options"]
        and group["shipping"]["options"][0]["price"]["currency"] == "USD"
    )
    assert group["duties"]["collected_at_checkout"] is True
    assert group["duties"]["quote"]["regime"]["code"] == "CN_CBEC_9610"
    assert Cart.objects.get(user=shopper).lines.count() == 1


def test_errors_use_the_one_format_with_the_rule(world, client_for):
    client = client_for(UserFactory())
    response = add(client, world.serum, 1)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == "invalid"
    assert error["fields"] == {"quantity": ["The minimum order is 2 units."]}
    response = add(client, world.honey, 11, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.json()["error"]["fields"]["quantity"] == [
        "可配送到所选国家或地区的库存仅剩 10 件，请减少数量。"
    ]
    response = client.post(LINES, {"sku": "x"}, content_type="application/json")
    assert set(response.json()["error"]["fields"]) == {"sku", "quantity"}


def test_change_and_remove_a_line(world, client_for):
    client = client_for(UserFactory())
    add(client, world.honey, 1)
    line = CartLine.objects.get()
    response = client.patch(line_url(line.pk), {"quantity": 4}, content_type="application/json")
    assert response.status_code == 200 and response.json()["lines"][0]["quantity"] == 4
    assert client.delete(line_url(line.pk)).status_code == 204
    assert client.get(CART).json()["lines"] == []
    assert client.delete(line_url(line.pk)).json()["error"]["status"] == 404


def test_problems_and_price_changes_are_in_the_answer(world, client_for):
    client = client_for(UserFactory())
    add(client, world.honey, 1)
    world.honey.price = "219.00"
    world.honey.save()
    world.honey.product.merchant.status = "suspended"
    world.honey.product.merchant.save()
    line = client.get(CART).json()["lines"][0]
    assert line["price_was"] == {"amount": "199.00", "currency": "CNY"}
    assert line["problem"]["code"] == "merchant_suspended"
    assert line["can_check_out"] is False


@pytest.mark.parametrize("intruder_kind", ["anonymous", "signed_in"])
def test_another_shoppers_cart_is_never_visible(world, client_for, intruder_kind):
    owner = client_for(UserFactory())
    add(owner, world.honey, 2)
    line = CartLine.objects.get()
    intruder = Client() if intruder_kind == "anonymous" else client_for(UserFactory())
    if intruder_kind == "anonymous":
        add(intruder, world.balm, 1)  # an anonymous cart of its own
    body = intruder.get(CART).json()
    assert world.honey.pk not in [item["sku"]["id"] for item in body["lines"]]
    for method, data in (("patch", {"quantity": 5}), ("delete", None)):
        response = getattr(intruder, method)(
            line_url(line.pk), data, content_type="application/json"
        )
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert CartLine.objects.get(pk=line.pk).quantity == 2


def test_an_anonymous_cart_token_in_another_session_is_not_the_users_cart(world, client_for):
    shopper = UserFactory()
    owner = client_for(shopper)
    add(owner, world.honey, 1)
    stranger = Client()
    session = stranger.session
    session["orders.cart_token"] = Cart.objects.get(user=shopper).token
    session.save()
    assert stranger.get(CART).json()["lines"] == []


def test_schema_documents_the_cart(client):
    schema = client.get("/api/schema/?format=json").json()
    assert {"/api/v1/cart/", "/api/v1/cart/lines/", "/api/v1/cart/lines/{line_id}/"} <= set(
        schema["paths"]
    )


def test_each_group_shows_its_gift_with_purchase_or_how_much_more_to_spend(world):
    """The cart page's gifts (``cart_gifts_preview``), in the API's groups: 199 of kiwi's
    honey is 100 short of the 满299 gift; a second jar reaches it. Names in the request's
    language."""
    from tests.orders.test_checkout_gifts import gift_for, sample_of

    gift = gift_for(world, sample_of(world), threshold="299", quantity=2)
    client = Client()
    client.get(CART, {"country": "CN", "province": "CN-ZJ"})
    add(client, world.honey, 1)
    [group] = client.get(CART, {"country": "CN", "province": "CN-ZJ"}).json()["groups"]
    assert group["gifts"] == []
    assert group["gifts_short"] == [
        {
            "ref": f"gift:{gift.pk}",
            "name": "Honey sample",
            "quantity": 2,
            "short": {"amount": "100.00", "currency": "CNY"},
        }
    ]
    add(client, world.honey, 1)
    body = client.get(
        CART, {"country": "CN", "province": "CN-ZJ"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()
    [group] = body["groups"]
    assert group["gifts_short"] == []
    assert group["gifts"] == [
        {"ref": f"gift:{gift.pk}", "name": "蜂蜜小样", "quantity": 2, "short": None}
    ]
