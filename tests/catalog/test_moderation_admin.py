"""The back-office review queue: new listings and live edits, decided through the services."""

import pytest
from django.urls import reverse

from catalog.models import Product, ProductEvent, ProductRevision
from catalog.services import moderation
from catalog.services.products import product_update, sku_upsert
from tests.catalog.listing_helpers import sku_input
from tests.factories import MembershipFactory, OperatorFactory, ProductFactory

pytestmark = pytest.mark.django_db

QUEUE = "admin:catalog_productawaitingreview_changelist"


@pytest.fixture
def ops(client_for):
    operator = OperatorFactory()
    client = client_for(operator)
    client.operator = operator
    return client


@pytest.fixture
def waiting():
    """A new listing awaiting review, a live one with edits, and one that waits for nothing."""
    new = ProductFactory(name_en="Fresh listing", status=Product.Status.DRAFT, published_at=None)
    sku_upsert(product=new, data=sku_input(code="NEW-1"))
    moderation.product_submit(product=new, by=MembershipFactory(merchant=new.merchant).user)
    live = ProductFactory(name_en="Live listing", description_en="<p>Old text</p>")
    edits = product_update(
        product=live,
        by=MembershipFactory(merchant=live.merchant).user,
        description_en="<p>New <b>text</b></p>",
    )
    quiet = ProductFactory(name_en="Quiet listing")
    return {"new": new, "live": live, "edits": edits, "quiet": quiet}


def test_the_queue_lists_what_waits_for_review(ops, waiting):
    html = ops.get(reverse(QUEUE)).content.decode()
    assert "Fresh listing" in html and "Live listing" in html
    assert "Quiet listing" not in html
    assert "New listing" in html and "Edits to a live listing" in html


def test_the_review_page_shows_the_diff_and_history(ops, waiting):
    url = reverse("admin:catalog_productawaitingreview_change", args=[waiting["live"].pk])
    html = ops.get(url).content.decode()
    assert "<p>Old text</p>" in html and "<p>New <b>text</b></p>" in html
    assert "Edits proposed" in html
    assert "Approve" in html and "Reject with a reason" in html


def test_approve_action_publishes_listings_and_edits(ops, waiting):
    ops.post(
        reverse(QUEUE),
        {
            "action": "approve_selected",
            "_selected_action": [waiting["new"].pk, waiting["live"].pk],
            "index": "0",
        },
    )
    new = Product.objects.get(pk=waiting["new"].pk)
    assert new.status == Product.Status.APPROVED and new.published_at is not None
    assert ProductEvent.objects.get(subject=new, transition="approve").actor == ops.operator
    live = Product.objects.get(pk=waiting["live"].pk)
    assert live.description_en == "<p>New <b>text</b></p>"
    assert ProductRevision.objects.get(pk=waiting["edits"].pk).status == "approved"
    assert "Fresh listing" not in ops.get(reverse(QUEUE)).content.decode()


def test_reject_action_asks_for_a_reason_first(ops, waiting):
    data = {"action": "reject_selected", "_selected_action": [waiting["new"].pk], "index": "0"}
    ask = ops.post(reverse(QUEUE), data)
    assert "Reject: give the merchant a reason" in ask.content.decode()
    assert Product.objects.get(pk=waiting["new"].pk).status == Product.Status.PENDING_REVIEW
    empty = ops.post(reverse(QUEUE), {**data, "apply": "1", "reason": ""})
    assert "This field is required" in empty.content.decode()
    ops.post(reverse(QUEUE), {**data, "apply": "1", "reason": "Blurry photos"})
    product = Product.objects.get(pk=waiting["new"].pk)
    assert product.status == Product.Status.REJECTED
    assert product.events.get(transition="reject").reason == "Blurry photos"


def test_decision_buttons_on_the_review_page(ops, waiting):
    live = waiting["live"]
    reject_url = reverse("admin:catalog_productawaitingreview_reject", args=[live.pk])
    assert "Reject: give the merchant a reason" in ops.get(reject_url).content.decode()
    ops.post(reject_url, {"reason": "Claims need evidence"})
    revision = ProductRevision.objects.get(pk=waiting["edits"].pk)
    assert revision.status == "rejected"
    assert Product.objects.get(pk=live.pk).description_en == "<p>Old text</p>"

    approve_url = reverse("admin:catalog_productawaitingreview_approve", args=[waiting["new"].pk])
    ops.post(approve_url)
    assert Product.objects.get(pk=waiting["new"].pk).status == Product.Status.APPROVED


def test_illegal_decisions_are_reported_not_applied(ops, waiting):
    ops.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "approve_selected", "_selected_action": [waiting["quiet"].pk], "index": "0"},
        follow=True,
    )
    response = ops.get(reverse("admin:catalog_product_changelist"))
    assert response.status_code == 200
    assert ProductEvent.objects.filter(subject=waiting["quiet"]).count() == 0


def test_delist_from_all_products_with_a_reason(ops, waiting):
    changelist = reverse("admin:catalog_product_changelist")
    ops.post(
        changelist,
        {
            "action": "delist_selected",
            "_selected_action": [waiting["quiet"].pk],
            "index": "0",
            "apply": "1",
            "reason": "Expired import licence",
        },
    )
    product = Product.objects.get(pk=waiting["quiet"].pk)
    assert product.status == Product.Status.DELISTED
    page = ops.get(reverse("admin:catalog_product_change", args=[product.pk])).content.decode()
    assert "Expired import licence" in page


def test_brand_and_product_screens_open(ops, waiting):
    for name in ("admin:catalog_brand_changelist", "admin:catalog_product_changelist"):
        assert ops.get(reverse(name)).status_code == 200
    brand = waiting["quiet"].brand
    assert ops.get(reverse("admin:catalog_brand_change", args=[brand.pk])).status_code == 200
