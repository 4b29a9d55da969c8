"""Cross-tenant isolation: every seller catalog page and API endpoint is a 404 for another
merchant, and lists never show another merchant's rows."""

import pytest
from django.urls import reverse

from catalog.models import Product, ProductImage, ProductRevision
from catalog.services.products import product_image_add, product_image_delete, sku_upsert
from tests.catalog.listing_helpers import media, sku_api_data, sku_input, upload  # noqa: F401
from tests.factories import ProductFactory
from tests.tenancy import assert_cross_tenant_404

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def a_product(tenants):
    """Merchant A's live product with a variant, an image, a proposed image and a pending
    revision (an image removal), so every sub-resource URL exists."""
    product = ProductFactory(
        merchant=tenants.a.merchant, status=Product.Status.DRAFT, published_at=None
    )
    sku = sku_upsert(product=product, data=sku_input(code="A-1"))
    image = product_image_add(product=product, by=None, upload=upload())
    Product.objects.filter(pk=product.pk).update(status=Product.Status.APPROVED)
    product.refresh_from_db()
    proposed = product_image_add(product=product, by=None, upload=upload("b.png"))
    product_image_delete(product=product, by=None, image=image)
    assert ProductRevision.objects.filter(product=product, status="pending").exists()
    return {"product": product, "sku": sku, "image": image, "proposed": proposed}


def page_urls(objects) -> list[str]:
    product, sku = objects["product"], objects["sku"]
    image, proposed = objects["image"], objects["proposed"]
    return [
        reverse("seller_catalog:edit", args=[product.pk]),
        reverse("seller_catalog:submit", args=[product.pk]),
        reverse("seller_catalog:sku_create", args=[product.pk]),
        reverse("seller_catalog:sku_edit", args=[product.pk, sku.pk]),
        reverse("seller_catalog:images", args=[product.pk]),
        reverse("seller_catalog:image_delete", args=[product.pk, image.pk]),
        reverse("seller_catalog:image_keep", args=[product.pk, image.pk]),
        reverse("seller_catalog:proposed_image_delete", args=[product.pk, proposed.pk]),
        reverse("seller_catalog:revision_withdraw", args=[product.pk]),
    ]


def test_every_seller_catalog_page_is_404_for_another_merchant(tenants, a_product):
    # The detail page only answers GET (a POST is 405 for any id, existing or not).
    detail = reverse("seller_catalog:detail", args=[a_product["product"].pk])
    assert_cross_tenant_404(detail, owner=tenants.a.client, intruder=tenants.b.client)
    for url in page_urls(a_product):
        assert_cross_tenant_404(
            url,
            owner=tenants.a.client,
            intruder=tenants.b.client,
            methods=("get", "post"),
            content_type="application/x-www-form-urlencoded",
        )
    product = Product.objects.get(pk=a_product["product"].pk)
    assert product.status == Product.Status.APPROVED
    assert ProductImage.objects.filter(pk=a_product["image"].pk).exists()
    assert ProductRevision.objects.filter(product=product, status="pending").exists()


def test_a_sku_of_another_product_is_404_under_my_product(tenants, a_product):
    mine = ProductFactory(merchant=tenants.b.merchant, status=Product.Status.DRAFT)
    url = reverse("seller_catalog:sku_edit", args=[mine.pk, a_product["sku"].pk])
    assert tenants.b.client.get(url).status_code == 404
    url = reverse("seller_catalog:image_delete", args=[mine.pk, a_product["image"].pk])
    assert tenants.b.client.get(url).status_code == 404


def test_every_seller_catalog_api_endpoint_is_404_for_another_merchant(tenants, a_product):
    product, image = a_product["product"], a_product["image"]
    base = f"/api/v1/seller/products/{product.pk}/"
    assert_cross_tenant_404(
        base,
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "put", "patch"),
        data={"name_en": "Hijacked", "category": product.category_id},
    )
    assert_cross_tenant_404(
        base + "submit/",
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "post"),
    )
    assert_cross_tenant_404(
        base + "images/",
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "post"),
    )
    assert_cross_tenant_404(
        base + f"images/{image.pk}/",
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "delete"),
    )
    assert_cross_tenant_404(
        base + "revision/",
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "delete"),
    )
    product.refresh_from_db()
    assert product.name_en != "Hijacked" and product.status == Product.Status.APPROVED
    assert ProductRevision.objects.filter(product=product, status="pending").exists()


def test_api_list_shows_only_my_products(tenants):
    for tenant, name in ((tenants.a, "Alpha honey"), (tenants.b, "Beta wine")):
        tenant.client.post(
            "/api/v1/seller/products/",
            {
                "name_en": name,
                "name_zh_hans": name,
                "category": ProductFactory().category_id,
                "skus": [sku_api_data(code=f"{name[:4]}-1")],
            },
            content_type="application/json",
        )
    listing = tenants.b.client.get("/api/v1/seller/products/").json()
    assert [row["name_en"] for row in listing["results"]] == ["Beta wine"]
