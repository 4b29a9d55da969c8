"""API kernel: one error format with translated messages, auth, throttling, schema, docs."""

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_validation_errors_name_the_field_in_the_requested_language(client):
    en = client.get("/api/v1/currencies/convert/?amount=abc&source=USD&target=CNY")
    assert en.status_code == 400
    error = en.json()["error"]
    assert error["code"] == "invalid" and error["status"] == 400
    assert "amount" in error["fields"]
    assert "valid number" in error["fields"]["amount"][0]

    zh = client.get(
        "/api/v1/currencies/convert/?amount=1&source=XYZ&target=CNY",
        headers={"Accept-Language": "zh-hans"},
    )
    body = zh.json()["error"]
    assert body["message"] == "部分字段无效，请查看各字段的错误说明。"
    assert body["fields"]["source"] == ["该币种尚未设置汇率。"]


def test_conversion_uses_operator_rates_and_rounds_half_up(client):
    response = client.get("/api/v1/currencies/convert/?amount=10.005&source=USD&target=CNY")
    assert response.json() == {"amount": "71.04", "currency": "CNY", "display": "CN¥71.04"}


def test_money_is_sent_as_strings(client):
    rows = client.get("/api/v1/currencies/").json()["results"]
    usd = next(r for r in rows if r["code"] == "USD")
    assert usd["rate_to_base"] == "7.10000000"


def test_token_login_then_token_auth():
    from rest_framework.test import APIClient

    user = UserFactory()
    api = APIClient()
    token = api.post("/api/v1/auth/token/", {"username": user.email, "password": PASSWORD})
    assert token.status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token " + token.json()["token"])
    assert api.get("/api/v1/me/").json()["email"] == user.email


def test_unauthenticated_me_is_refused_in_the_error_format(client):
    response = client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_token_login_is_throttled(settings):
    from rest_framework.test import APIClient

    api = APIClient()
    codes = [
        api.post(
            "/api/v1/auth/token/", {"username": "x@example.com", "password": "nope"}
        ).status_code
        for _ in range(11)
    ]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/seller/team/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs


def test_csrf_is_enforced_for_session_writes(tenants):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(tenants.a.owner)
    response = strict.patch(
        f"/api/v1/seller/team/{tenants.a.membership.pk}/",
        {"role": "owner"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
