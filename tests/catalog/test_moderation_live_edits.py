"""Edits to a live product: the fields that matter wait for review, the rest apply at once."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.models import (
    SKU,
    Product,
    ProductImage,
    ProductRevision,
    ProductRevisionEvent,
    ProductRevisionImage,
)
from catalog.selectors.moderation import product_history, revision_diff
from catalog.selectors.seller import seller_product_detail
from catalog.services import moderation
from catalog.services.moderation import IllegalTransition
from catalog.services.products import (
    product_image_add,
    product_image_delete,
    product_update,
    revision_image_delete,
    sku_upsert,
)
from tests.catalog.listing_helpers import media, sku_input, upload  # noqa: F401
from tests.factories import (
    BrandFactory,
    MembershipFactory,
    OperatorFactory,
    ProductFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

R = ProductRevision.Status


@pytest.fixture
def live():
    """An approved product with one variant (added while it was a draft)."""
    product = ProductFactory(
        name_en="Manuka Honey", name_zh_hans="麦卢卡蜂蜜", status=Product.Status.DRAFT
    )
    sku_upsert(product=product, data=sku_input(code="MH-250"))
    Product.objects.filter(pk=product.pk).update(status=Product.Status.APPROVED)
    return Product.objects.get(pk=product.pk)


@pytest.fixture
def seller(live):
    """A member of the live product's merchant (edits are a member's to make)."""
    return MembershipFactory(merchant=live.merchant).user


@pytest.fixture
def operator():
    return OperatorFactory()


def test_name_and_description_edits_wait_while_the_live_version_shows(live, seller):
    revision = product_update(
        product=live,
        by=seller,
        name_en="Manuka Honey MGO 800",
        description_zh_hans="<p>新配方</p>",
        min_order_quantity=3,
    )
    assert revision is not None and revision.status == R.PENDING
    shown = Product.objects.get(pk=live.pk)
    assert shown.name_en == "Manuka Honey"  # still the approved name
    assert shown.description_zh_hans == "<p>新西兰原生蜂蜜。</p>"
    assert shown.min_order_quantity == 3  # not a reviewed field: applied now
    assert shown.status == Product.Status.APPROVED
    assert revision.changes["fields"] == {
        "name_en": "Manuka Honey MGO 800",
        "description_zh_hans": "<p>新配方</p>",
    }


def test_further_edits_go_into_the_same_revision_and_setting_back_drops_them(live, seller):
    first = product_update(product=live, by=seller, name_en="Manuka Honey MGO 800")
    second = product_update(product=live, by=seller, name_zh_hans="麦卢卡蜂蜜 MGO 800")
    assert first.pk == second.pk
    assert set(second.changes["fields"]) == {"name_en", "name_zh_hans"}
    product_update(product=live, by=seller, name_zh_hans="麦卢卡蜂蜜")
    second.refresh_from_db()
    assert set(second.changes["fields"]) == {"name_en"}
    # Back to the live name as well: nothing left to review, the revision is withdrawn.
    assert product_update(product=live, by=seller, name_en="Manuka Honey") is None
    second.refresh_from_db()
    assert second.status == R.WITHDRAWN


def test_approving_a_revision_publishes_it_with_an_event(live, seller, operator):
    brand = BrandFactory(name_en="Comvita")
    revision = product_update(product=live, by=seller, name_en="Comvita Manuka", brand=brand)
    moderation.revision_approve(revision=revision, by=operator)
    shown = Product.objects.get(pk=live.pk)
    assert shown.name_en == "Comvita Manuka" and shown.brand == brand
    event = ProductRevisionEvent.objects.get(subject=revision)
    assert (event.transition, event.actor) == ("approve", operator)
    with pytest.raises(IllegalTransition):
        moderation.revision_approve(revision=revision, by=operator)


def test_rejecting_a_revision_keeps_the_live_version_and_shows_the_reason(live, seller, operator):
    revision = product_update(product=live, by=seller, name_en="Best Honey In The World")
    with pytest.raises(ValidationError):
        moderation.revision_reject(revision=revision, by=operator, reason=" ")
    moderation.revision_reject(revision=revision, by=operator, reason="Superlatives not allowed")
    assert Product.objects.get(pk=live.pk).name_en == "Manuka Honey"
    detail = seller_product_detail(live.merchant, live.pk)
    history = product_history(detail)
    assert history[0].action == "Edits rejected" and history[0].reason == "Superlatives not allowed"


def test_only_operators_decide_on_revisions(live, seller):
    revision = product_update(product=live, by=seller, name_en="Manuka Honey 2")
    with pytest.raises(PermissionDenied):
        moderation.revision_approve(revision=revision, by=seller)
    with pytest.raises(PermissionDenied):
        moderation.revision_reject(revision=revision, by=seller, reason="no")


def test_hs_code_change_waits_while_price_and_barcode_apply_now(live, seller, operator):
    sku_upsert(
        product=live,
        by=seller,
        data=sku_input(
            code="MH-250", hs_code="0409.00.00.90", price=Decimal("219.00"), barcode="9421"
        ),
    )
    sku = SKU.objects.get(code="MH-250", merchant=live.merchant)
    assert sku.hs_code == "0409000000" and sku.price == Decimal("219.00") and sku.barcode == "9421"
    revision = moderation.pending_revision(live)
    assert revision.changes["hs_codes"] == {str(sku.pk): "0409000090"}
    revision.product = seller_product_detail(live.merchant, live.pk)
    assert [row.label for row in revision_diff(revision)] == ["HS code of MH-250"]
    moderation.revision_approve(revision=revision, by=operator)
    assert SKU.objects.get(pk=sku.pk).hs_code == "0409000090"


def test_an_invalid_hs_code_on_a_live_product_is_refused_not_queued(live, seller):
    with pytest.raises(ValidationError):
        sku_upsert(product=live, by=seller, data=sku_input(code="MH-250", hs_code="12"))
    assert moderation.pending_revision(live) is None


def test_a_new_variant_of_a_live_product_goes_on_sale_after_review(live, seller, operator):
    sku = sku_upsert(product=live, by=seller, data=sku_input(code="MH-500"))
    assert sku.is_active is False
    # Ticking "on sale" again does not bypass the review.
    sku = sku_upsert(product=live, by=seller, data=sku_input(code="MH-500", is_active=True))
    assert sku.is_active is False
    revision = moderation.pending_revision(live)
    assert revision.changes["new_skus"] == [sku.pk]
    moderation.revision_approve(revision=revision, by=operator)
    assert SKU.objects.get(pk=sku.pk).is_active is True


def test_images_on_a_live_product_are_reviewed(live, seller, operator):
    live.status = Product.Status.DRAFT
    live.save()
    first = product_image_add(product=live, by=seller, upload=upload())
    live.status = Product.Status.APPROVED
    live.save()

    proposed = product_image_add(product=live, by=seller, upload=upload("new.png"))
    assert isinstance(proposed, ProductRevisionImage)
    assert list(ProductImage.objects.filter(product=live)) == [first]  # shoppers see the old
    product_image_delete(product=live, by=seller, image=first)
    assert ProductImage.objects.filter(pk=first.pk).exists()  # removal waits too

    moderation.revision_approve(revision=moderation.pending_revision(live), by=operator)
    images = list(ProductImage.objects.filter(product=live))
    assert len(images) == 1 and images[0].image.name == proposed.image.name
    assert images[0].image.storage.exists(images[0].image.name)
    assert not ProductRevisionImage.objects.exists()


def test_dropping_the_only_proposed_image_withdraws_the_empty_revision(
    live, seller, django_capture_on_commit_callbacks
):
    proposed = product_image_add(product=live, by=seller, upload=upload())
    revision = moderation.pending_revision(live)
    with django_capture_on_commit_callbacks(execute=True):
        revision_image_delete(product=live, by=seller, image=proposed)
    revision.refresh_from_db()
    assert revision.status == R.WITHDRAWN
    assert not proposed.image.storage.exists(proposed.image.name)


def test_withdrawing_edits_keeps_the_live_version(live, seller):
    revision = product_update(product=live, by=seller, name_en="Something else")
    moderation.revision_withdraw(revision=revision, by=seller)
    revision.refresh_from_db()
    assert revision.status == R.WITHDRAWN
    assert Product.objects.get(pk=live.pk).name_en == "Manuka Honey"
    # The next edit starts a fresh revision.
    assert product_update(product=live, by=seller, name_en="Another").pk != revision.pk


def test_delisting_folds_pending_edits_into_the_product(live, seller, operator):
    revision = product_update(product=live, by=seller, name_en="Manuka Honey (new label)")
    moderation.product_delist(product=live, by=operator, reason="Label dispute")
    revision.refresh_from_db()
    assert revision.status == R.MERGED
    product = Product.objects.get(pk=live.pk)
    assert product.status == Product.Status.DELISTED
    assert product.name_en == "Manuka Honey (new label)"
    # Resubmitting sends the whole product, edits included, to review.
    moderation.product_submit(product=product, by=seller)
    assert Product.objects.get(pk=live.pk).status == Product.Status.PENDING_REVIEW


def test_edits_to_products_that_are_not_live_apply_directly(seller):
    for status in ("draft", "pending_review", "rejected", "delisted"):
        merchant = seller.memberships.get().merchant
        product = ProductFactory(merchant=merchant, status=status, published_at=None)
        assert product_update(product=product, by=seller, name_en=f"Now {status}") is None
        assert Product.objects.get(pk=product.pk).name_en == f"Now {status}"
        assert not ProductRevision.objects.filter(product=product).exists()


def test_switching_a_variant_off_is_immediate_and_back_on_is_reviewed(live, seller, operator):
    sku_upsert(product=live, by=seller, data=sku_input(code="MH-250", is_active=False))
    sku = SKU.objects.get(code="MH-250", merchant=live.merchant)
    assert sku.is_active is False and moderation.pending_revision(live) is None

    sku_upsert(product=live, by=seller, data=sku_input(code="MH-250", is_active=True))
    assert SKU.objects.get(pk=sku.pk).is_active is False
    revision = moderation.pending_revision(live)
    assert revision.changes["new_skus"] == [sku.pk]
    # Changing its mind before the review: nothing left to review.
    sku_upsert(product=live, by=seller, data=sku_input(code="MH-250", is_active=False))
    revision.refresh_from_db()
    assert revision.status == R.WITHDRAWN


def test_a_rejected_new_variant_cannot_be_put_on_sale_without_review(live, seller, operator):
    sku = sku_upsert(product=live, by=seller, data=sku_input(code="MH-1KG"))
    moderation.revision_reject(
        revision=moderation.pending_revision(live), by=operator, reason="Wrong weight"
    )
    sku = sku_upsert(
        product=live,
        by=seller,
        data=sku_input(
            code="MH-1KG", net_weight_kg=Decimal("1.000"), gross_weight_kg=Decimal("1.2")
        ),
    )
    assert sku.is_active is False
    assert moderation.pending_revision(live).changes["new_skus"] == [sku.pk]
