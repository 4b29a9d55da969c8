"""A variant's rules are checked once (catalog.services.products) and every door (the portal
form, the seller API, the CSV import) refuses the same input with the same message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from catalog.models import SKU, ImportJob, Product
from catalog.services.products import (
    MAX_ATTRIBUTE_NAME_LENGTH,
    MAX_ATTRIBUTE_VALUE_LENGTH,
    MAX_ATTRIBUTES,
)
from tests.catalog.csv_rows import product_row, to_csv
from tests.catalog.listing_helpers import sku_api_data, sku_post_data
from tests.factories import BrandFactory, CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

TOO_MANY = f"A variant has at most {MAX_ATTRIBUTES} attributes."
NAME_TOO_LONG = f"An attribute name has at most {MAX_ATTRIBUTE_NAME_LENGTH} characters."
VALUE_TOO_LONG = f"An attribute value has at most {MAX_ATTRIBUTE_VALUE_LENGTH} characters."
NAME_CHARACTER = "An attribute name cannot contain “=”, “:”, “;” or a line break."
VALUE_CHARACTER = "An attribute value cannot contain “;” or a line break."

LONG_NAME = "n" * (MAX_ATTRIBUTE_NAME_LENGTH + 1)
LONG_VALUE = "v" * (MAX_ATTRIBUTE_VALUE_LENGTH + 1)
MANY = [(f"k{i}", "v") for i in range(MAX_ATTRIBUTES + 1)]

# (message, as typed in the form, as sent to the API, as written in the CSV cell or None when
# the CSV's own format cannot express it)
CASES = {
    "too many": (
        TOO_MANY,
        "\n".join(f"{k}: {v}" for k, v in MANY),
        dict(MANY),
        ";".join(f"{k}={v}" for k, v in MANY),
    ),
    "long name": (NAME_TOO_LONG, f"{LONG_NAME}: x", {LONG_NAME: "x"}, f"{LONG_NAME}=x"),
    "long value": (
        VALUE_TOO_LONG,
        f"size: {LONG_VALUE}",
        {"size": LONG_VALUE},
        f"size={LONG_VALUE}",
    ),
    "name character": (NAME_CHARACTER, "a=b: c", {"a:b": "c"}, "a:b=c"),
    "value character": (VALUE_CHARACTER, "size: S;M", {"size": "S;M"}, None),
}


@pytest.fixture
def shop(tenants):
    CategoryFactory(slug="honey", name_en="Honey", name_zh_hans="蜂蜜")
    BrandFactory(slug="comvita", name_en="Comvita", name_zh_hans="康维他")
    return tenants.a


def portal_errors(tenant, **overrides) -> str:
    product = ProductFactory(
        merchant=tenant.merchant, status=Product.Status.DRAFT, published_at=None
    )
    response = tenant.client.post(
        reverse("seller_catalog:sku_create", args=[product.pk]), sku_post_data(**overrides)
    )
    assert response.status_code == 200  # the form again, with its errors
    return response.content.decode()


def api_refusal(tenant, **overrides) -> dict:
    """The seller API's answer to a product whose one SKU has ``overrides``."""
    response = tenant.client.post(
        "/api/v1/seller/products/",
        {
            "name_en": "Manuka honey",
            "category": CategoryFactory().pk,
            "listing_currency": "CNY",
            "skus": [sku_api_data(**overrides)],
        },
        content_type="application/json",
    )
    assert response.status_code == 400, response.json()
    return response.json()["error"]


def api_errors(tenant, **overrides) -> dict:
    return api_refusal(tenant, **overrides)["fields"]["skus"]["0"]


def api_codes(tenant, **overrides) -> dict[str, str]:
    """The API's machine codes of the same refusal, by field path."""
    return {e["field"]: e["code"] for e in api_refusal(tenant, **overrides)["errors"]}


def csv_errors(tenant, **overrides) -> list[dict]:
    response = tenant.client.post(
        "/en/seller/stock/imports/",
        {
            "kind": "products",
            "file": SimpleUploadedFile("p.csv", to_csv([product_row(**overrides)])),
        },
    )
    assert response.status_code == 302
    job = ImportJob.objects.for_merchant(tenant.merchant).latest("id")
    assert job.status == ImportJob.Status.FAILED
    return job.errors


@pytest.mark.parametrize("case", CASES)
def test_attribute_limits_say_the_same_at_every_door(shop, case):
    message, typed, sent, cell = CASES[case]
    page = portal_errors(shop, attributes_en=typed)
    assert escape(message) in page
    block = page.split('id="id_attributes_en"', 1)[1].split('class="field', 1)[0]
    assert escape(message) in block  # on the attributes field

    assert api_errors(shop, attributes_en=sent) == {"attributes_en": [message]}

    if cell is not None:
        (error,) = csv_errors(shop, attributes_en=cell)
        assert (error["line"], error["column"], error["message"]) == (2, "attributes_en", message)
        # the same machine code at the API and in the CSV report
        assert api_codes(shop, attributes_en=sent) == {"skus[0].attributes_en": error["code"]}
    assert not SKU.objects.exists()


def test_attributes_within_the_limits_are_kept(shop):
    most = {f"k{i}": "v" * MAX_ATTRIBUTE_VALUE_LENGTH for i in range(MAX_ATTRIBUTES - 1)}
    most["n" * MAX_ATTRIBUTE_NAME_LENGTH] = "a=b: c"  # = and : are fine inside a value
    response = shop.client.post(
        "/api/v1/seller/products/",
        {
            "name_en": "Manuka honey",
            "category": CategoryFactory().pk,
            "listing_currency": "CNY",
            "skus": [sku_api_data(attributes_en=most)],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert SKU.objects.get().attributes_en == most


def test_a_blank_attribute_value_is_refused_by_the_api_with_the_rules_message(shop):
    assert api_errors(shop, attributes_zh_hans={"尺码": " "}) == {
        "attributes_zh_hans": ["Each attribute needs a name and a value."]
    }


def test_the_rules_message_is_translated_at_every_door(shop):
    expected = "每个规格最多 10 个属性。"
    page = shop.client.post(
        "/zh-hans"
        + reverse(
            "seller_catalog:sku_create",
            args=[
                ProductFactory(
                    merchant=shop.merchant, status=Product.Status.DRAFT, published_at=None
                ).pk
            ],
        )[3:],
        sku_post_data(attributes_zh_hans=CASES["too many"][1]),
    )
    assert expected in page.content.decode()
    response = shop.client.post(
        "/api/v1/seller/products/",
        {
            "name_en": "Manuka honey",
            "category": CategoryFactory().pk,
            "listing_currency": "CNY",
            "skus": [sku_api_data(attributes_zh_hans=CASES["too many"][2])],
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.json()["error"]["fields"]["skus"]["0"]["attributes_zh_hans"] == [expected]


@pytest.mark.parametrize("origin", ["XX", "New Zealand", "nz1"])
def test_an_unknown_origin_country_is_refused_with_the_forms_message(shop, origin):
    message = "Use the two-letter ISO 3166-1 code of a country."
    page = portal_errors(shop, origin_country=origin)
    block = page.split('id="id_origin_country"', 1)[1].split('class="field', 1)[0]
    assert message in block
    assert api_errors(shop, origin_country=origin) == {"origin_country": [message]}
    (error,) = csv_errors(shop, origin_country=origin)
    assert (error["line"], error["column"], error["message"]) == (2, "origin_country", message)
    assert error["code"] == "invalid_country"  # the rule's code, as the API has it
    assert api_codes(shop, origin_country=origin) == {"skus[0].origin_country": "invalid_country"}
    assert not SKU.objects.exists()


BONDED = (
    "Bonded import (1210) needs a customs product record: submit the variant's product "
    "record and wait for customs to record it, or untick bonded import."
)
# rule: (message, field or column, form data, API data, CSV cells)
RULES = {
    "gross below net": (
        "The gross weight includes packaging: it cannot be below net.",
        "gross_weight_kg",
        {"gross_weight_kg": "0.100"},
        {"gross_weight_kg": "0.010"},
        {"gross_weight_kg": "0.100"},
    ),
    "bonded without a record": (
        BONDED,
        "trade_modes",
        # a typed status is no longer a field anywhere: it changes nothing
        {"trade_modes": ["bonded"], "product_record_status": "recorded"},
        {"trade_modes": ["bonded"], "product_record_status": "recorded"},
        {"trade_modes": "bonded"},
    ),
    "no trade mode": (
        "Allow at least one trade mode.",
        "trade_modes",
        {"trade_modes": []},
        {"trade_modes": []},
        {"trade_modes": ""},
    ),
}


@pytest.mark.parametrize("rule", RULES)
def test_the_csv_says_what_the_form_and_the_api_say(shop, rule):
    message, field, typed, sent, cells = RULES[rule]
    page = portal_errors(shop, **typed)
    block = page.split(f'id="id_{field}', 1)[1].split('class="field', 1)[0]
    assert escape(message) in block
    assert api_errors(shop, **sent)[field] == [message]
    errors = csv_errors(shop, **cells)
    assert [(e["line"], e["column"], e["message"]) for e in errors] == [(2, field, message)]
    assert set(api_codes(shop, **sent).values()) == {errors[0]["code"]}


def test_a_too_long_barcode_gets_the_forms_words_from_the_csv(shop):
    page = portal_errors(shop, barcode="9" * 33)
    (error,) = csv_errors(shop, barcode="9" * 33)
    assert error["column"] == "barcode"
    assert escape(error["message"]) in page  # "Ensure this value has at most 32 characters…"
