"""Coupons: every kind priced through the pipeline, claiming (atomic under threads, on the real
PostgreSQL), limits, who may use them, the cost bearer, use at checkout and the way back."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from marketing import pricing
from marketing.coupons.services import (
    checkout_promotions,
    coupon_claim,
    coupon_claim_by_code,
    coupon_create,
    coupons_redeem,
    coupons_release,
)
from marketing.models import CouponClaim
from tests.factories import MembershipFactory, OperatorFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


def window(**over):
    now = timezone.now()
    return {"starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=7), **over}


@pytest.fixture
def operator(db):
    return OperatorFactory()


@pytest.fixture
def seller(db):
    return MembershipFactory()


def platform_coupon(operator, **fields):
    data = {"title": "¥20 off", "kind": "fixed", "amount": "20", "threshold": "100", **window()}
    data.update(fields)
    return coupon_create(merchant=None, by=operator, **data)


def line(merchant_id, price="199.00", qty=1, key="honey", **kw):
    return pricing.Line(key=key, merchant_id=merchant_id, quantity=qty, unit_price=D(price), **kw)


def test_a_shopper_claims_uses_and_gets_back_a_coupon(operator, user):
    coupon = platform_coupon(operator)
    claim = coupon_claim(coupon=coupon, user=user)

    chosen = checkout_promotions(user=user, claim_ids=[claim.pk])
    priced = pricing.price_order(lines=[line(1)], currency="CNY", promotions=chosen.promotions)
    assert priced.order_discount == D("20.00")
    assert priced.lines[0].shares[0].platform == D("20.00")  # the platform's coupon

    applied = [chosen.claims[a.ref] for a in priced.applied if a.ref in chosen.claims]
    assert coupons_redeem(user=user, claim_ids=applied, checkout_number="CK-1") == 1
    assert checkout_promotions(user=user, claim_ids=[claim.pk]).promotions == []  # used
    with pytest.raises(ValidationError) as refused:
        coupons_redeem(user=user, claim_ids=applied, checkout_number="CK-2")
    assert codes(refused.value) == {"coupon_used_meanwhile"}

    assert coupons_release(checkout_number="CK-1", reason="expired unpaid") == 1
    claim.refresh_from_db()
    assert claim.status == CouponClaim.Status.AVAILABLE
    assert [e.transition for e in claim.events.all()] == ["use", "give_back"]


def test_every_kind_through_the_pipeline(operator, user):
    kinds = {
        "fixed": platform_coupon(operator, title="fixed"),
        "percent": platform_coupon(operator, title="pct", kind="percent", percent="10", cap="15"),
        "tiers": platform_coupon(
            operator,
            title="tiers",
            kind="tiers",
            amount="0",
            threshold="0",
            tiers=[["299", "30"], ["599", "80"]],
        ),
    }
    expected = {"fixed": D("20.00"), "percent": D("15.00"), "tiers": D("30.00")}
    for name, coupon in kinds.items():
        claim = coupon_claim(coupon=coupon, user=user)
        promos = checkout_promotions(user=user, claim_ids=[claim.pk]).promotions
        priced = pricing.price_order(lines=[line(1, qty=2)], currency="CNY", promotions=promos)
        assert priced.order_discount == expected[name], name
    free = platform_coupon(operator, title="ship", kind="free_shipping", amount="0", threshold="0")
    claim = coupon_claim(coupon=free, user=user)
    promos = checkout_promotions(user=user, claim_ids=[claim.pk]).promotions
    priced = pricing.price_order(
        lines=[line(1, group="g")], currency="CNY", promotions=promos, shipping={"g": D("18.00")}
    )
    assert priced.shipping == {"g": D("0.00")}


def test_spend_and_save_applies_without_a_claim(operator, user):
    platform_coupon(
        operator,
        title="满减",
        automatic=True,
        kind="tiers",
        amount="0",
        threshold="0",
        tiers=[["299", "30"]],
    )
    promos = checkout_promotions(user=user).promotions
    priced = pricing.price_order(lines=[line(1, qty=2)], currency="CNY", promotions=promos)
    assert priced.order_discount == D("30.00")
    assert priced.applied[0].step == pricing.Step.SPEND_AND_SAVE


def test_merchant_coupons_are_the_merchants_cost_and_cover_only_its_lines(seller, user):
    mine = coupon_create(
        merchant=seller.merchant,
        by=seller.user,
        title="店铺券",
        kind="fixed",
        amount="10",
        scope="merchant",
        **window(),
    )
    claim = coupon_claim(coupon=mine, user=user)
    promos = checkout_promotions(user=user, claim_ids=[claim.pk]).promotions
    priced = pricing.price_order(
        lines=[line(seller.merchant.pk), line(seller.merchant.pk + 999, key="other")],
        currency="CNY",
        promotions=promos,
    )
    ours, other = priced.lines
    assert ours.discount == D("10.00") and other.discount == 0
    assert ours.shares[0].merchant == D("10.00") and ours.shares[0].platform == 0


def test_a_merchant_cannot_make_the_platform_pay_or_scope_others_products(seller, operator):
    theirs = ProductFactory()
    with pytest.raises(ValidationError) as refused:
        coupon_create(
            merchant=seller.merchant,
            by=seller.user,
            title="x",
            kind="fixed",
            amount="5",
            platform_percent=50,
            scope="product",
            scope_ids=[theirs.pk],
            **window(),
        )
    assert codes(refused.value) == {"coupon_bearer_operator_only", "coupon_scope_not_yours"}
    shared = coupon_create(
        merchant=seller.merchant,
        by=operator,
        title="shared",
        kind="fixed",
        amount="10",
        platform_percent=40,
        **window(),
    )
    assert pricing.price_order(
        lines=[line(seller.merchant.pk)],
        currency="CNY",
        promotions=[
            __import__("marketing.coupons.services", fromlist=["x"]).as_promotion(shared, "s")
        ],
    ).lines[0].shares[0].platform == D("4.00")


def test_only_operators_create_platform_coupons(seller):
    with pytest.raises(PermissionDenied):
        coupon_create(
            merchant=None, by=seller.user, title="x", kind="fixed", amount="5", **window()
        )


def test_each_kind_refuses_its_bad_numbers(operator):
    cases = {
        "coupon_amount_positive": {"kind": "fixed", "amount": "0"},
        "coupon_percent_range": {"kind": "percent", "percent": "100"},
        "coupon_tiers_invalid": {"kind": "tiers", "tiers": [["599", "80"], ["299", "30"]]},
    }
    for code, fields in cases.items():
        with pytest.raises(ValidationError) as refused:
            platform_coupon(operator, **fields)
        assert code in codes(refused.value)
    with pytest.raises(ValidationError) as refused:
        platform_coupon(operator, **window(ends_at=timezone.now() - timedelta(days=2)))
    assert "coupon_window" in codes(refused.value)


def test_validity_and_who_may_use_it(operator, user):
    later = platform_coupon(operator, **window(starts_at=timezone.now() + timedelta(days=1)))
    with pytest.raises(ValidationError) as refused:
        coupon_claim(coupon=later, user=user)
    assert codes(refused.value) == {"coupon_not_valid"}

    new_only = platform_coupon(operator, title="new", audience="new")
    veteran = UserFactory()
    veteran.date_joined = timezone.now() - timedelta(days=90)
    veteran.save()
    with pytest.raises(ValidationError) as refused:
        coupon_claim(coupon=new_only, user=veteran)
    assert codes(refused.value) == {"coupon_new_only"}
    coupon_claim(coupon=new_only, user=user)

    listed = platform_coupon(operator, title="vip", audience="list", allowed_users=[user])
    coupon_claim(coupon=listed, user=user)
    with pytest.raises(ValidationError) as refused:
        coupon_claim(coupon=listed, user=veteran)
    assert codes(refused.value) == {"coupon_not_offered"}


def test_a_code_typed_twice_is_one_claim(operator, user):
    platform_coupon(operator, code="double11")
    first = coupon_claim_by_code(code="DOUBLE11", user=user)
    assert coupon_claim_by_code(code=" double11 ", user=user) == first
    with pytest.raises(ValidationError) as refused:
        coupon_claim_by_code(code="nope", user=user)
    assert codes(refused.value) == {"coupon_code_unknown"}


@pytest.mark.django_db(transaction=True)
def test_claims_under_concurrency_never_pass_the_limits(settings):
    """24 threads: 12 shoppers claim a coupon limited to 5 (each may hold 1), twice each, at
    once — exactly 5 issued, nobody holds two, the counter says 5."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert connection.vendor == "postgresql"
    coupon = platform_coupon(OperatorFactory(), issue_limit=5, per_shopper_limit=1)
    people = [UserFactory() for _ in range(12)]
    start = threading.Barrier(24)

    def claim(person):
        start.wait(timeout=20)
        try:
            coupon_claim(coupon=coupon, user=person)
            return "claimed"
        except ValidationError as exc:
            return ",".join(sorted(codes(exc)))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=24) as pool:
        outcomes = list(pool.map(claim, people + people))

    assert outcomes.count("claimed") == 5
    assert set(outcomes) <= {"claimed", "coupon_all_claimed", "coupon_claimed_already"}
    assert CouponClaim.objects.count() == 5
    assert len(set(CouponClaim.objects.values_list("user", flat=True))) == 5
    coupon.refresh_from_db()
    assert coupon.issued == 5


@pytest.mark.django_db(transaction=True)
def test_one_shopper_claiming_at_once_gets_one(settings):
    assert connection.vendor == "postgresql"
    coupon = platform_coupon(OperatorFactory(), per_shopper_limit=1)
    person = UserFactory()
    start = threading.Barrier(10)

    def claim(_):
        start.wait(timeout=20)
        try:
            coupon_claim(coupon=coupon, user=person)
            return "claimed"
        except ValidationError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(claim, range(10)))
    assert outcomes.count("claimed") == 1
    coupon.refresh_from_db()
    assert coupon.issued == 1  # the refused claims' counter rises were rolled back
