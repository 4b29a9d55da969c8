"""A variant's attributes come in both languages, like the rest of the content: the English
page shows the English ones, the Chinese page the Chinese ones, each falling back to the
other; every door (portal, seller API, CSV) writes both, and the migration kept what
merchants had written."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import translation

from catalog.models import SKU, ImportJob, Product
from tests.catalog.csv_rows import product_row, to_csv
from tests.catalog.listing_helpers import sku_api_data, sku_post_data
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    MerchantFactory,
    ProductFactory,
    SKUFactory,
)

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def options_cell(html: str) -> str:
    """The text of the variants' option cells on a product page."""
    cells = re.findall(r'<span class="option">(.*?)</span> ', html, flags=re.S)
    return " | ".join(re.sub(r"<[^>]+>", "", cell) for cell in cells)


@pytest.fixture
def serum(db):
    product = ProductFactory(
        merchant=MerchantFactory(),
        name_en="Advanced Night Repair",
        name_zh_hans="特润修护精华",
    )
    SKUFactory(
        product=product,
        code="ANR-50",
        attributes_zh_hans={"容量": "50毫升"},
        attributes_en={"Volume": "50 ml"},
    )
    return product


def product_page(client, product, language) -> str:
    response = client.get(f"/{language}/p/{product.pk}/{product.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_english_page_shows_the_english_attributes(client, serum):
    cell = options_cell(product_page(client, serum, "en"))
    assert cell == "Volume: 50 ml"
    assert not CHINESE.search(cell)


def test_the_chinese_page_shows_the_chinese_attributes(client, serum):
    assert options_cell(product_page(client, serum, "zh-hans")) == "容量: 50毫升"


def test_a_missing_language_falls_back_to_the_other(client, serum):
    sku = SKU.objects.get(code="ANR-50")
    sku.attributes_en = {}
    sku.save()  # (saving retires the storefront's cached copy, as every write does)
    assert options_cell(product_page(client, serum, "en")) == "容量: 50毫升"
    sku.attributes_en, sku.attributes_zh_hans = {"size": "M"}, None
    sku.save()
    # our own label for a well-known English name, the merchant's value as written
    with translation.override("zh-hans"):
        size = translation.gettext("Size")
    assert options_cell(product_page(client, serum, "zh-hans")) == f"{size}: M"


def test_the_public_api_gives_both_and_the_requested_one(client, serum):
    body = client.get(f"/api/v1/products/{serum.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    (sku,) = body["skus"]
    assert sku["attributes"] == {"容量": "50毫升"}
    assert sku["attributes_zh_hans"] == {"容量": "50毫升"}
    assert sku["attributes_en"] == {"Volume": "50 ml"}
    english = client.get(f"/api/v1/products/{serum.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["skus"][0]["attributes"] == {"Volume": "50 ml"}


def test_the_portal_form_writes_both_languages_and_shows_them_again(tenants):
    product = ProductFactory(
        merchant=tenants.a.merchant, status=Product.Status.DRAFT, published_at=None
    )
    response = tenants.a.client.post(
        reverse("seller_catalog:sku_create", args=[product.pk]),
        sku_post_data(
            attributes_zh_hans="容量：50毫升\n颜色: 琥珀色", attributes_en="volume: 50 ml"
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    sku = SKU.objects.get(code="KN-HONEY-500")
    assert sku.attributes_zh_hans == {"容量": "50毫升", "颜色": "琥珀色"}
    assert sku.attributes_en == {"volume": "50 ml"}
    form = tenants.a.client.get(
        reverse("seller_catalog:sku_edit", args=[product.pk, sku.pk])
    ).content.decode()
    assert "容量: 50毫升\n颜色: 琥珀色</textarea>" in form
    assert "volume: 50 ml</textarea>" in form
    detail = tenants.a.client.get(reverse("seller_catalog:detail", args=[product.pk]))
    assert "容量: 50毫升" in detail.content.decode() and "volume: 50 ml" in detail.content.decode()


def test_the_seller_api_reads_and_writes_both_languages(tenants):
    response = tenants.a.client.post(
        "/api/v1/seller/products/",
        {
            "name_en": "Night serum",
            "category": CategoryFactory().pk,
            "listing_currency": "CNY",
            "skus": [
                sku_api_data(
                    attributes_en={"Volume": "50 ml"}, attributes_zh_hans={"容量": "50毫升"}
                )
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    (sku,) = response.json()["skus"]
    assert sku["attributes_en"] == {"Volume": "50 ml"}
    assert sku["attributes_zh_hans"] == {"容量": "50毫升"}
    stored = SKU.objects.get(code=sku["code"])
    assert (stored.attributes_en, stored.attributes_zh_hans) == (
        {"Volume": "50 ml"},
        {"容量": "50毫升"},
    )


def test_the_csv_has_a_column_per_language_and_round_trips(tenants):
    CategoryFactory(slug="honey")
    BrandFactory(slug="comvita")
    row = product_row(attributes_en="size=250 g;flavour=manuka", attributes_zh_hans="规格=250克")
    response = tenants.a.client.post(
        "/en/seller/stock/imports/",
        {"kind": "products", "file": SimpleUploadedFile("p.csv", to_csv([row]))},
    )
    assert response.status_code == 302
    assert ImportJob.objects.latest("id").status == ImportJob.Status.SUCCEEDED
    sku = SKU.objects.get(code="HONEY-250")
    assert sku.attributes_en == {"size": "250 g", "flavour": "manuka"}
    assert sku.attributes_zh_hans == {"规格": "250克"}

    exported = b"".join(
        tenants.a.client.get("/en/seller/stock/export/products.csv").streaming_content
    )
    text = exported.decode("utf-8-sig")
    assert "attributes_en,attributes_zh_hans" in text.splitlines()[0]
    assert "size=250 g;flavour=manuka,规格=250克" in text
    tenants.a.client.post(
        "/en/seller/stock/imports/",
        {"kind": "products", "file": SimpleUploadedFile("p.csv", exported)},
    )
    job = ImportJob.objects.latest("id")
    assert job.status == ImportJob.Status.SUCCEEDED and job.summary["rows_unchanged"] == 1


def test_the_migration_keeps_each_object_in_the_language_it_is_written_in():
    from importlib import import_module

    migration = import_module("catalog.migrations.0009_sku_attributes_in_both_languages")
    state = MigrationLoader(connection).project_state(
        ("catalog", "0009_sku_attributes_in_both_languages")
    )
    historical = state.apps.get_model("catalog", "SKU")
    chinese = SKUFactory(code="ZH")
    english = SKUFactory(code="EN")
    empty = SKUFactory(code="NONE")
    # rows as they were before: one object in the base column, nothing translated
    historical.objects.filter(pk=chinese.pk).update(
        attributes={"容量": "50毫升"}, attributes_en={}, attributes_zh_hans={}
    )
    historical.objects.filter(pk=english.pk).update(
        attributes={"size": "M"}, attributes_en={}, attributes_zh_hans={}
    )
    historical.objects.filter(pk=empty.pk).update(
        attributes={}, attributes_en={}, attributes_zh_hans={}
    )

    migration.split_by_language(state.apps, None)

    rows = {
        sku.code: (sku.attributes_en, sku.attributes_zh_hans)
        for sku in SKU.objects.filter(code__in=["ZH", "EN", "NONE"])
    }
    assert rows == {
        "ZH": ({}, {"容量": "50毫升"}),
        "EN": ({"size": "M"}, {}),
        "NONE": ({}, {}),
    }
    with translation.override("en"):
        assert SKU.objects.get(code="ZH").attributes == {"容量": "50毫升"}  # fallback


def test_demo_attributes_are_bilingual():
    from catalog.demo import PRODUCTS, _attributes_en

    for product in PRODUCTS:
        for sku in product.skus:
            english = _attributes_en(sku.attributes)
            assert len(english) == len(sku.attributes), sku.code
            assert not any(CHINESE.search(f"{k}{v}") for k, v in english.items()), sku.code


def test_the_back_office_shows_both_languages(client_for, serum):
    from tests.factories import OperatorFactory

    operator = client_for(OperatorFactory())
    page = operator.get(reverse("admin:catalog_product_change", args=[serum.pk]))
    assert page.status_code == 200
    assert "容量: 50毫升 / Volume: 50 ml" in page.content.decode()
