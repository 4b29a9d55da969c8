"""An operator approving a live product's edits while its merchant edits it: both finish.

The approval used to lock the revision and then the product while an edit locked the product
and then the revision, so the two could deadlock on PostgreSQL and one side got a server
error. Each interleaving is forced (``tests.locking.run_interleaved``): whoever takes the first
lock holds it until the other is seen waiting on PostgreSQL.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from catalog.models import SKU, Product, ProductRevision
from catalog.services.products import product_update, sku_upsert
from tests.catalog.listing_helpers import sku_input, sku_post_data
from tests.factories import MembershipFactory, OperatorFactory, ProductFactory
from tests.locking import run_interleaved

pytestmark = pytest.mark.django_db(transaction=True)

R = ProductRevision.Status


@pytest.fixture
def scene():
    """A live product with one variant and pending edits (a new description), its owner's
    client (portal and API) and an operator's back-office client."""
    assert connection.vendor == "postgresql"
    membership = MembershipFactory()
    product = ProductFactory(merchant=membership.merchant, status=Product.Status.DRAFT)
    sku = sku_upsert(product=product, data=sku_input(code="MH-250"))
    Product.objects.filter(pk=product.pk).update(status=Product.Status.APPROVED)
    product.refresh_from_db()
    revision = product_update(
        product=product, by=membership.user, description_en="<p>Now with MGO 800.</p>"
    )
    merchant = Client(raise_request_exception=False)
    merchant.force_login(membership.user)
    operator = Client(raise_request_exception=False)
    operator.force_login(OperatorFactory())
    approve_url = reverse("admin:catalog_productawaitingreview_approve", args=[product.pk])
    return {
        "product": product,
        "sku": sku,
        "revision": revision,
        "merchant": merchant,
        "approve": lambda: operator.post(approve_url),
        "rename": lambda: merchant.patch(
            f"/api/v1/seller/products/{product.pk}/",
            {"name_en": "Manuka Honey MGO 800"},
            content_type="application/json",
        ),
    }


def _both_answered(run) -> None:
    assert run.second_waited, "the two requests never met at a lock: the test proves nothing"
    for outcome in (run.first, run.second):
        assert outcome.error is None, outcome.error
        assert outcome.value.status_code < 400, (outcome.value.status_code, outcome.value.content)


def test_approval_first_then_the_merchant_edit_waits_and_lands_in_a_new_revision(scene):
    run = run_interleaved(scene["approve"], scene["rename"])

    _both_answered(run)
    product = Product.objects.get(pk=scene["product"].pk)
    assert product.description_en == "<p>Now with MGO 800.</p>"  # the approved edits are live
    assert ProductRevision.objects.get(pk=scene["revision"].pk).status == R.APPROVED
    waiting = ProductRevision.objects.get(product=product, status=R.PENDING)
    assert waiting.changes["fields"] == {"name_en": "Manuka Honey MGO 800"}
    assert product.name_en != "Manuka Honey MGO 800"  # the rename waits for its own review


def test_merchant_edit_first_then_the_approval_takes_it_along(scene):
    run = run_interleaved(scene["rename"], scene["approve"])

    _both_answered(run)
    product = Product.objects.get(pk=scene["product"].pk)
    assert product.name_en == "Manuka Honey MGO 800"
    assert product.description_en == "<p>Now with MGO 800.</p>"
    assert ProductRevision.objects.get(pk=scene["revision"].pk).status == R.APPROVED
    assert not ProductRevision.objects.filter(product=product, status=R.PENDING).exists()


@pytest.mark.parametrize("variant_first", [True, False])
def test_changing_a_variant_hs_code_while_the_edits_are_approved(scene, variant_first):
    """The portal's variant form used to lock the variant before the product, and the
    approval writes the variant's proposed HS code after locking the product."""
    product, sku = scene["product"], scene["sku"]
    sku_upsert(product=product, data=sku_input(code="MH-250", hs_code="0409000010"))
    url = reverse("seller_catalog:sku_edit", args=[product.pk, sku.pk])
    data = sku_post_data(code="MH-250", hs_code="0409000090")

    def edit_variant():
        return scene["merchant"].post(url, data)

    first, second = (
        (edit_variant, scene["approve"]) if variant_first else (scene["approve"], edit_variant)
    )
    run = run_interleaved(first, second)

    _both_answered(run)
    sku = SKU.objects.get(pk=sku.pk)
    assert sku.price == Decimal("299.00")  # price edits apply at once
    assert ProductRevision.objects.get(pk=scene["revision"].pk).status == R.APPROVED
    pending = ProductRevision.objects.filter(product=product, status=R.PENDING).first()
    if variant_first:
        # the new code replaced the proposed one, and the operator approved it
        assert sku.hs_code == "0409000090" and pending is None
    else:
        assert sku.hs_code == "0409000010"
        assert pending.changes["hs_codes"] == {str(sku.pk): "0409000090"}
