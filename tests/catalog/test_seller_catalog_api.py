"""Seller catalog API: products with nested SKUs and tiers, submission, images, live edits."""

import pytest
from django.test import Client

from catalog.models import SKU, Product, ProductRevision
from catalog.services import moderation
from merchants.roles import CAPABILITIES, Capability, Role
from tests.catalog.listing_helpers import media, sku_api_data, upload  # noqa: F401
from tests.factories import (
    CategoryFactory,
    MembershipFactory,
    OperatorFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

URL = "/api/v1/seller/products/"


def create(client, **overrides):
    body = {
        "name_en": "Shiseido Ultimune Concentrate 50ml",
        "name_zh_hans": "资生堂红腰子精华 50毫升",
        "description_en": "<p>Serum</p><script>x()</script>",
        "category": overrides.pop("category", None) or CategoryFactory().pk,
        "listing_currency": "JPY",
        "skus": [sku_api_data(price="8800", tiers=[{"min_quantity": 10, "unit_price": "8200"}])],
    }
    body.update(overrides)
    return client.post(URL, body, content_type="application/json")


def test_create_with_nested_skus_and_tiers_then_read_it_back(tenants):
    response = create(tenants.a.client)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["description_en"] == "<p>Serum</p>"
    sku = body["skus"][0]
    assert sku["price"] == "8800.00" and sku["trade_modes"] == ["direct"]
    assert sku["tiers"] == [{"min_quantity": 10, "unit_price": "8200.00"}]
    assert body["pending_revision"] is None and body["history"] == []
    detail = tenants.a.client.get(f"{URL}{body['id']}/").json()
    assert detail["skus"][0]["code"] == "API-SKU-1"


def test_external_images_are_stripped_when_a_description_is_saved(tenants):
    response = create(
        tenants.a.client,
        description_en='<p>Serum</p><img src="https://tracker.example/p.gif?m=1" alt="">',
    )
    assert response.status_code == 201, response.json()
    product = Product.objects.get(pk=response.json()["id"])
    assert "tracker.example" not in product.description_en
    assert product.description_en == '<p>Serum</p><img alt="">'


def test_bonded_without_record_is_a_field_error_and_nothing_is_written(tenants):
    response = create(
        tenants.a.client,
        skus=[
            sku_api_data(code="OK-1"),
            # the record fields are read-only: a typed "recorded" is ignored
            sku_api_data(
                code="BAD-1",
                trade_modes=["bonded"],
                product_record_status="recorded",
                product_record_number="FAKE-1",
            ),
        ],
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "submit the variant's product record" in error["fields"]["skus"]["1"]["trade_modes"][0]
    assert not Product.objects.filter(merchant=tenants.a.merchant).exists()
    assert not SKU.objects.filter(merchant=tenants.a.merchant).exists()


def test_bonded_rule_message_in_chinese(tenants):
    response = tenants.a.client.post(
        URL,
        {
            "name_zh_hans": "奶粉",
            "category": CategoryFactory().pk,
            "skus": [sku_api_data(trade_modes=["bonded"])],
        },
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )
    message = response.json()["error"]["fields"]["skus"]["0"]["trade_modes"][0]
    assert "保税" in message


def test_invalid_hs_code_and_currency_name_their_fields(tenants):
    response = create(tenants.a.client, skus=[sku_api_data(hs_code="99")])
    assert "hs_code" in response.json()["error"]["fields"]["skus"]["0"]
    response = create(tenants.a.client, listing_currency="XYZ")
    assert "listing_currency" in response.json()["error"]["fields"]


def test_submit_flow_and_illegal_submit_is_409(tenants):
    product_id = create(tenants.a.client).json()["id"]
    check = tenants.a.client.get(f"{URL}{product_id}/submit/").json()
    assert check == {"status": "draft", "transition": "submit", "ready": True, "problems": {}}
    submitted = tenants.a.client.post(f"{URL}{product_id}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "pending_review"
    assert submitted.json()["history"][0]["action"] == "Submitted for review"
    again = tenants.a.client.post(f"{URL}{product_id}/submit/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "illegal_transition"


def test_submitting_without_variants_explains_what_is_missing(tenants):
    product_id = create(tenants.a.client, skus=[]).json()["id"]
    check = tenants.a.client.get(f"{URL}{product_id}/submit/").json()
    assert check["ready"] is False and "skus" in check["problems"]
    refused = tenants.a.client.post(f"{URL}{product_id}/submit/")
    assert refused.status_code == 400 and "skus" in refused.json()["error"]["fields"]


def test_editing_a_live_product_returns_the_pending_revision(tenants):
    product_id = create(tenants.a.client).json()["id"]
    tenants.a.client.post(f"{URL}{product_id}/submit/")
    moderation.product_approve(product=Product.objects.get(pk=product_id), by=OperatorFactory())

    response = tenants.a.client.patch(
        f"{URL}{product_id}/",
        {
            "name_en": "Shiseido Ultimune 75ml",
            "min_order_quantity": 2,
            "skus": [sku_api_data(price="8600", hs_code="3304.99.00.90")],
        },
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200, body
    assert body["name_en"] == "Shiseido Ultimune Concentrate 50ml"
    assert body["min_order_quantity"] == 2
    assert body["skus"][0]["price"] == "8600.00"
    assert body["skus"][0]["hs_code"] == "3304990000"
    assert body["skus"][0]["proposed_hs_code"] == "3304990090"
    assert body["pending_revision"]["changes"]["fields"] == {"name_en": "Shiseido Ultimune 75ml"}

    revision = tenants.a.client.get(f"{URL}{product_id}/revision/")
    assert revision.status_code == 200
    assert tenants.a.client.delete(f"{URL}{product_id}/revision/").status_code == 204
    assert not ProductRevision.objects.filter(product_id=product_id, status="pending").exists()
    assert tenants.a.client.get(f"{URL}{product_id}/revision/").status_code == 404


def test_image_upload_list_and_delete(tenants):
    product_id = create(tenants.a.client).json()["id"]
    refused = tenants.a.client.post(
        f"{URL}{product_id}/images/", {"image": upload("x.png", fmt="BMP")}
    )
    assert refused.status_code == 400 and "image" in refused.json()["error"]["fields"]
    uploaded = tenants.a.client.post(f"{URL}{product_id}/images/", {"image": upload(), "alt": "A"})
    assert uploaded.status_code == 201
    image = uploaded.json()
    assert image["pending_review"] is False and image["thumbnail_url"].endswith(".webp")
    assert len(tenants.a.client.get(f"{URL}{product_id}/images/").json()) == 1
    assert tenants.a.client.delete(f"{URL}{product_id}/images/{image['id']}/").status_code == 204
    assert tenants.a.client.get(f"{URL}{product_id}/images/").json() == []


def test_images_for_a_live_product_wait_for_review(tenants):
    product = ProductFactory(merchant=tenants.a.merchant)
    uploaded = tenants.a.client.post(f"{URL}{product.pk}/images/", {"image": upload()})
    assert uploaded.status_code == 201 and uploaded.json()["pending_review"] is True
    assert tenants.a.client.get(f"{URL}{product.pk}/").json()["images"] == []


def test_status_filter_on_the_list(tenants):
    create(tenants.a.client)
    ProductFactory(merchant=tenants.a.merchant, name_en="Live one")
    rows = tenants.a.client.get(URL + "?status=approved").json()["results"]
    assert [r["name_en"] for r in rows] == ["Live one"]
    assert rows[0]["price_min"] is None


def test_permission_matrix(tenants, client_for, monkeypatch):
    product_id = create(tenants.a.client).json()["id"]
    detail = f"{URL}{product_id}/"
    anonymous = Client().get(detail)
    assert anonymous.status_code in (401, 403)
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    for outsider in (UserFactory(), OperatorFactory()):
        assert client_for(outsider).get(detail).status_code == 403
    for role in (Role.OWNER, Role.MANAGER, Role.STAFF):
        member = client_for(MembershipFactory(merchant=tenants.a.merchant, role=role).user)
        assert member.get(detail).status_code == 200
        patched = member.patch(detail, {"min_order_quantity": 3}, content_type="application/json")
        assert patched.status_code == 200
    assert tenants.b.client.get(detail).status_code == 404

    viewer = MembershipFactory(merchant=tenants.a.merchant, role=Role.STAFF)
    monkeypatch.setitem(CAPABILITIES, Role.STAFF, frozenset({Capability.VIEW}))
    looking = client_for(viewer.user)
    assert looking.get(detail).status_code == 200
    refused = looking.patch(detail, {"min_order_quantity": 4}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "Your role may not do this."
    assert looking.post(f"{detail}submit/").status_code == 403
    assert Product.objects.get(pk=product_id).min_order_quantity == 3


def test_list_and_detail_query_counts_are_fixed(tenants, django_assert_max_num_queries):
    for n in range(3):
        create(tenants.a.client, skus=[sku_api_data(code=f"Q{n}-1"), sku_api_data(code=f"Q{n}-2")])
    tenants.a.client.get(URL)
    with django_assert_max_num_queries(8):
        assert tenants.a.client.get(URL).status_code == 200
    product_id = Product.objects.filter(merchant=tenants.a.merchant).first().pk
    with django_assert_max_num_queries(12):
        assert tenants.a.client.get(f"{URL}{product_id}/").status_code == 200


def test_the_openapi_schema_documents_the_seller_catalog(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).content.decode()
    for path in (
        "/api/v1/seller/products/",
        "/api/v1/seller/products/{id}/submit/",
        "/api/v1/seller/products/{id}/images/",
        "/api/v1/seller/products/{id}/images/{image_pk}/",
        "/api/v1/seller/products/{id}/revision/",
    ):
        assert path in schema
    assert "trade_modes" in schema and "pending_revision" in schema
