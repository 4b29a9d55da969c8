"""The API's one error path: every refusal is a 4xx in the documented format, with a machine
code per rule; bodies the server cannot take (too deep, too big) are refused the same way."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.catalog.listing_helpers import sku_api_data
from tests.factories import CategoryFactory, MembershipFactory

pytestmark = pytest.mark.django_db

DEEP = "[" * 1500 + "]" * 1500


def codes(response) -> set[tuple[str | None, str]]:
    return {(e["field"], e["code"]) for e in response.json()["error"]["errors"]}


def test_a_service_rule_comes_back_with_its_own_code_and_the_old_shape(tenants):
    response = tenants.a.client.post(
        "/api/v1/seller/products/",
        {
            "name_en": "Serum",
            "category": CategoryFactory().pk,
            "skus": [sku_api_data(code="OK-1"), sku_api_data(code="BAD-1", hs_code="9912345")],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["status"] == 400
    assert "digits" in error["fields"]["skus"]["1"]["hs_code"][0]
    [entry] = error["errors"]
    assert entry == {
        "field": "skus[1].hs_code",
        "code": "hs_code_digits",
        "message": error["fields"]["skus"]["1"]["hs_code"][0],
    }


def test_the_last_owner_rule_has_its_code(tenants):
    response = tenants.a.client.patch(
        f"/api/v1/seller/team/{tenants.a.membership.pk}/",
        {"role": "staff"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert codes(response) == {("role", "last_owner")}


def test_serializer_rules_keep_drf_codes(client):
    shape = client.get("/api/v1/currencies/convert/?amount=abc&source=USD&target=CNY")
    assert codes(shape) == {("amount", "invalid")}
    rule = client.get("/api/v1/currencies/convert/?amount=1&source=XYZ&target=CNY")
    assert codes(rule) == {("source", "no_fx_rate")}


@pytest.mark.parametrize("body", [{}, ""])
def test_patching_a_team_member_without_a_role_is_a_400_not_a_server_error(tenants, body):
    member = MembershipFactory(merchant=tenants.a.merchant, role="staff")
    url = f"/api/v1/seller/team/{member.pk}/"
    if body == "":
        response = tenants.a.client.patch(url, "", content_type="application/x-www-form-urlencoded")
    else:
        response = tenants.a.client.patch(url, body, content_type="application/json")
    assert response.status_code == 400
    assert codes(response) == {("role", "required")}
    member.refresh_from_db()
    assert member.role == "staff"


def test_a_role_change_by_patch_still_works(tenants):
    member = MembershipFactory(merchant=tenants.a.merchant, role="staff")
    response = tenants.a.client.patch(
        f"/api/v1/seller/team/{member.pk}/", {"role": "manager"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["role"] == "manager"


@pytest.mark.parametrize(
    "url",
    ["/api/v1/duties/quote", "/api/v1/auth/token/"],
)
def test_deeply_nested_json_is_a_400_for_anonymous_callers(client, url):
    response = client.post(url, DEEP, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "json_too_deep"
    assert "32 levels" in error["message"]


@pytest.mark.parametrize(
    "method, url",
    [
        ("post", "/api/v1/seller/products/"),
        ("put", "/api/v1/seller/payout/"),
        ("post", "/api/v1/seller/invitations/"),
        ("post", "/api/v1/seller/stock/adjust/"),
    ],
)
def test_deeply_nested_json_is_a_400_on_seller_endpoints(tenants, method, url):
    response = getattr(tenants.a.client, method)(url, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "json_too_deep"


def test_moderately_nested_json_still_parses_to_a_field_error(client):
    # 33 levels: one past the limit; 32 is parsed and refused by the serializer instead.
    too_deep = client.post(
        "/api/v1/duties/quote", "[" * 33 + "]" * 33, content_type="application/json"
    )
    assert too_deep.json()["error"]["code"] == "json_too_deep"
    deep_enough = client.post(
        "/api/v1/duties/quote", "[" * 32 + "]" * 32, content_type="application/json"
    )
    assert deep_enough.status_code == 400
    assert deep_enough.json()["error"]["code"] == "invalid"


def test_the_parse_error_of_broken_json_is_translated(client):
    response = client.post(
        "/api/v1/duties/quote",
        '{"lines": [',
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error" and "JSON" in error["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


def test_a_body_over_the_upload_limit_is_a_json_413_on_the_api(settings, tenants):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"note": "' + "x" * 2000 + '"}'
    anonymous = Client().post("/api/v1/duties/quote", body, content_type="application/json")
    assert anonymous.status_code == 413
    assert anonymous["Content-Type"].startswith("application/json")
    assert anonymous.json()["error"] == {
        "status": 413,
        "code": "payload_too_large",
        "message": "The request body is larger than this server accepts.",
    }
    seller = tenants.a.client.post(
        "/api/v1/seller/products/", body, content_type="application/json"
    )
    assert seller.status_code == 413 and seller.json()["error"]["code"] == "payload_too_large"
    form = tenants.a.client.post(
        "/api/v1/seller/products/",
        "name_en=" + "x" * 2000,
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 413 and form.json()["error"]["code"] == "payload_too_large"


def test_pages_keep_django_s_answer_to_an_oversized_body(settings, client):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/en/accounts/login/",
        "email=" + "x" * 2000,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert not response["Content-Type"].startswith("application/json")


def test_a_count_too_large_for_a_stock_row_is_a_field_error_not_a_server_error(tenants):
    from catalog.services.stock import MAX_UNITS, stock_receive
    from tests.factories import SKUFactory, StockFactory, WarehouseFactory

    stock = StockFactory(
        sku=SKUFactory(product__merchant=tenants.a.merchant),
        warehouse=WarehouseFactory(merchant=tenants.a.merchant, kind="overseas", country="JP"),
    )
    url = f"/api/v1/seller/stock/{stock.pk}/adjustments/"
    huge = tenants.a.client.post(
        url, {"reason": "correction", "quantity": 10**31}, content_type="application/json"
    )
    assert huge.status_code == 400
    assert codes(huge) == {("quantity", "max_value")}
    with pytest.raises(ValidationError) as refused:
        stock_receive(
            merchant=tenants.a.merchant,
            sku=stock.sku,
            warehouse=stock.warehouse,
            reason="receipt",
            quantity=MAX_UNITS,
        )
    assert refused.value.error_dict["quantity"][0].code == "quantity_too_large"
    stock.refresh_from_db()
    assert stock.on_hand == 20
