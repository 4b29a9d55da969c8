"""Product moderation: every transition of the lifecycle, the illegal ones, the events."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.models import Product, ProductEvent
from catalog.services import moderation
from catalog.services.moderation import PRODUCT_FLOW, IllegalTransition
from tests.factories import (
    MembershipFactory,
    OperatorFactory,
    ProductFactory,
    SKUFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = Product.Status


def product_in(status: str, **kwargs) -> Product:
    product = ProductFactory(status=status, published_at=None, **kwargs)
    SKUFactory(product=product)
    return product


def test_the_lifecycle_table_reads_as_the_issue_describes_it():
    assert {name: (set(t.sources), t.target) for name, t in PRODUCT_FLOW.transitions.items()} == {
        "submit": ({S.DRAFT}, S.PENDING_REVIEW),
        "approve": ({S.PENDING_REVIEW}, S.APPROVED),
        "reject": ({S.PENDING_REVIEW}, S.REJECTED),
        "delist": ({S.APPROVED}, S.DELISTED),
        "resubmit": ({S.REJECTED, S.DELISTED}, S.PENDING_REVIEW),
    }


def test_draft_to_live_and_back_writes_an_event_per_move():
    product = product_in(S.DRAFT)
    seller, operator = MembershipFactory(merchant=product.merchant).user, OperatorFactory()

    moderation.product_submit(product=product, by=seller)
    assert Product.objects.get(pk=product.pk).status == S.PENDING_REVIEW

    moderation.product_approve(product=product, by=operator)
    live = Product.objects.get(pk=product.pk)
    assert live.status == S.APPROVED and live.published_at is not None

    moderation.product_delist(product=product, by=operator, reason="Counterfeit confirmed")
    assert Product.objects.get(pk=product.pk).status == S.DELISTED

    moderation.product_submit(product=product, by=seller)  # resubmit
    moderation.product_reject(product=product, by=operator, reason="Photos still show the logo")
    assert Product.objects.get(pk=product.pk).status == S.REJECTED

    moderation.product_submit(product=product, by=seller)
    assert Product.objects.get(pk=product.pk).status == S.PENDING_REVIEW

    events = list(ProductEvent.objects.filter(subject=product).order_by("id"))
    assert [(e.transition, e.from_state, e.to_state) for e in events] == [
        ("submit", "draft", "pending_review"),
        ("approve", "pending_review", "approved"),
        ("delist", "approved", "delisted"),
        ("resubmit", "delisted", "pending_review"),
        ("reject", "pending_review", "rejected"),
        ("resubmit", "rejected", "pending_review"),
    ]
    assert events[0].actor == seller and events[1].actor == operator
    assert events[2].reason == "Counterfeit confirmed"
    assert events[4].reason == "Photos still show the logo"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.DRAFT, "approve"),
        (S.DRAFT, "reject"),
        (S.DRAFT, "delist"),
        (S.PENDING_REVIEW, "submit"),
        (S.PENDING_REVIEW, "delist"),
        (S.APPROVED, "submit"),
        (S.APPROVED, "approve"),
        (S.APPROVED, "reject"),
        (S.REJECTED, "approve"),
        (S.REJECTED, "delist"),
        (S.DELISTED, "approve"),
        (S.DELISTED, "reject"),
        (S.DELISTED, "delist"),
    ],
)
def test_illegal_moves_raise_and_change_nothing(status, action):
    product = product_in(status)
    operator = OperatorFactory()
    calls = {
        "submit": lambda: moderation.product_submit(product=product, by=operator),
        "approve": lambda: moderation.product_approve(product=product, by=operator),
        "reject": lambda: moderation.product_reject(product=product, by=operator, reason="x"),
        "delist": lambda: moderation.product_delist(product=product, by=operator, reason="x"),
    }
    with pytest.raises(IllegalTransition):
        calls[action]()
    assert Product.objects.get(pk=product.pk).status == status
    assert not ProductEvent.objects.filter(subject=product).exists()


def test_rejecting_and_delisting_need_a_reason():
    operator = OperatorFactory()
    pending = product_in(S.PENDING_REVIEW)
    with pytest.raises(ValidationError) as rejected:
        moderation.product_reject(product=pending, by=operator, reason="   ")
    assert "reason" in rejected.value.message_dict
    live = product_in(S.APPROVED)
    with pytest.raises(ValidationError):
        moderation.product_delist(product=live, by=operator, reason="")
    assert Product.objects.get(pk=pending.pk).status == S.PENDING_REVIEW
    assert Product.objects.get(pk=live.pk).status == S.APPROVED


def test_only_operators_decide():
    seller = UserFactory()
    pending = product_in(S.PENDING_REVIEW)
    with pytest.raises(PermissionDenied):
        moderation.product_approve(product=pending, by=seller)
    with pytest.raises(PermissionDenied):
        moderation.product_reject(product=pending, by=seller, reason="no")
    with pytest.raises(PermissionDenied):
        moderation.product_delist(product=product_in(S.APPROVED), by=seller, reason="no")
    assert Product.objects.get(pk=pending.pk).status == S.PENDING_REVIEW


def test_a_product_goes_to_review_only_with_both_names_and_a_variant():
    bare = ProductFactory(status=S.DRAFT, name_zh_hans="", published_at=None)
    seller = MembershipFactory(merchant=bare.merchant).user  # submitting is a member's
    with pytest.raises(ValidationError) as refused:
        moderation.product_submit(product=bare, by=seller)
    assert set(refused.value.message_dict) == {"name_zh_hans", "skus"}
    assert Product.objects.get(pk=bare.pk).status == S.DRAFT


def test_visibility_contract_needs_an_approved_merchant_too():
    product = product_in(S.APPROVED)
    assert moderation.product_is_visible(product)
    product.merchant.status = "suspended"
    assert not moderation.product_is_visible(product)
    assert not moderation.product_is_visible(product_in(S.PENDING_REVIEW))
