"""``/api/v1/checkouts/``: placing through the API with an Idempotency-Key, the answer a
mobile app pays with, refusals in the one error format, reading one's own checkout only."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from orders.models import Checkout
from tests.orders.checkout_helpers import ADDRESS_CN, identity, shopper_with

pytestmark = pytest.mark.django_db

URL = "/api/v1/checkouts/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(**overrides) -> dict:
    return {"address": ADDRESS_CN, "identity": identity(), "currency": "CNY", **overrides}


def codes(response) -> list[str]:
    return [e["code"] for e in response.json()["error"]["errors"]]


def test_placing_answers_with_orders_totals_and_what_the_app_pays_with(world, localstripe):
    user, _cart = shopper_with((world.honey, 1), (world.balm, 1), (world.serum, 2))
    response = api(user).post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="a1")
    assert response.status_code == 201, response.content
    data = response.json()
    checkout = Checkout.objects.get(number=data["number"])
    assert data["status"] == "awaiting_payment" and data["currency"] == "CNY"
    assert len(data["orders"]) == 3
    assert {o["customs_code"] for o in data["orders"]} == {"1210", "9610"}
    assert data["totals"]["total"] == {"amount": str(checkout.total), "currency": "CNY"}
    assert data["payer"]["id_number"] == checkout.payer_id_masked
    assert identity()["id_number"] not in response.content.decode()
    assert data["payment"]["client_secret"].startswith("pi_")
    assert data["payment"]["publishable_key"].startswith("pk_")
    line = data["orders"][0]["lines"][0]
    assert {"sku", "name", "quantity", "unit_price", "unit_price_charged", "duty"} <= set(line)
    # the same key again: the same checkout, not a second one
    again = api(user).post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="a1")
    assert again.status_code == 200 and again.json()["number"] == data["number"]
    assert Checkout.objects.count() == 1
    # read it back
    read = api(user).get(f"{URL}{data['number']}/")
    assert read.status_code == 200 and read.json()["orders"] == data["orders"]


def test_the_idempotency_key_is_required(world, localstripe):
    user, _cart = shopper_with((world.balm, 1))
    response = api(user).post(URL, body(), format="json")
    assert response.status_code == 400
    assert codes(response) == ["idempotency_key_required"]


def test_refusals_come_in_the_one_error_format_with_their_codes(world, localstripe):
    user, _cart = shopper_with((world.balm, 1))
    response = api(user).post(URL, body(identity=None), format="json", HTTP_IDEMPOTENCY_KEY="b1")
    assert response.status_code == 400 and codes(response) == ["identity_required"]
    address = {**ADDRESS_CN, "district": ""}
    response = api(user).post(URL, body(address=address), format="json", HTTP_IDEMPOTENCY_KEY="b2")
    assert response.status_code == 400
    assert response.json()["error"]["errors"] == [
        {
            "field": "address.district",
            "code": "address_field_required",
            "message": "A Chinese address needs its district or county.",
        }
    ]
    assert not Checkout.objects.exists()


def test_only_the_shopper_reads_their_checkout(world, localstripe):
    user, _cart = shopper_with((world.balm, 1))
    number = api(user).post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="c1").json()["number"]
    other, _ = shopper_with()
    assert api(other).get(f"{URL}{number}/").status_code == 404
    assert APIClient().get(f"{URL}{number}/").status_code in (401, 403)
    assert APIClient().post(URL, body(), format="json").status_code in (401, 403)


def test_reading_a_checkout_costs_the_same_for_many_orders(
    world, localstripe, django_assert_max_num_queries
):
    user, _cart = shopper_with((world.honey, 1), (world.balm, 1), (world.serum, 2))
    number = api(user).post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="d1").json()["number"]
    client = api(user)
    # checkout, orders with merchant and warehouse, lines, payment (+ session/auth)
    with django_assert_max_num_queries(6):
        assert client.get(f"{URL}{number}/").status_code == 200


def test_the_schema_lists_the_checkout_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/checkouts/" in schema and "Idempotency-Key" in schema
