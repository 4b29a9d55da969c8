"""Coupon pages: the coupon centre (claim, your coupons), the seller portal's coupons with
cross-tenant proofs, and their query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketing.coupons.services import coupon_create
from marketing.models import Coupon, CouponClaim
from tests.factories import OperatorFactory
from tests.querycounts import assert_queries
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def window():
    now = timezone.now()
    return {"starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=3)}


def platform_coupon(**fields):
    data = {"title": "满299减30", "kind": "tiers", "tiers": [["299", "30"]], **window(), **fields}
    return coupon_create(merchant=None, by=OperatorFactory(), **data)


def test_a_shopper_claims_a_coupon_in_the_centre(client_for, user):
    coupon = platform_coupon(issue_limit=10)
    shopper = client_for(user)

    page = shopper.get(reverse("coupons:centre")).content.decode()
    assert "满299减30" in page and "30 off 299" in page

    response = shopper.post(reverse("coupons:claim", args=[coupon.pk]), follow=True)
    assert "Coupon claimed" in response.content.decode()
    assert CouponClaim.objects.filter(user=user, coupon=coupon).exists()

    again = shopper.post(reverse("coupons:claim", args=[coupon.pk]), follow=True)
    assert "You have claimed this coupon already." in again.content.decode()
    assert CouponClaim.objects.count() == 1


def test_claiming_needs_a_signed_in_shopper(client):
    coupon = platform_coupon()
    response = client.post(reverse("coupons:claim", args=[coupon.pk]))
    assert "/accounts/login/" in response["Location"]


def test_the_coupon_centre_in_chinese(client):
    platform_coupon()
    page = client.get("/zh-hans/coupons/").content.decode()
    assert "领券中心" in page and "领取" in page


def test_coupon_centre_query_count_does_not_grow(client, db):
    assert_queries(client, reverse("coupons:centre"), grow=platform_coupon, pin=3)


def test_a_merchant_creates_a_spend_and_save_promotion(tenants):
    now = timezone.localtime()
    response = tenants.a.client.post(
        reverse("seller_coupons:create"),
        {
            "title_zh_hans": "店铺满减",
            "title_en": "Store spend and save",
            "automatic": "on",
            "kind": "tiers",
            "tiers": "299, 30\n599，80",
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "per_shopper_limit": "1",
            "audience": "everyone",
            "stackable": "on",
        },
    )
    coupon = Coupon.objects.get()
    assert response.status_code == 302
    assert coupon.merchant == tenants.a.merchant
    assert coupon.automatic and coupon.tiers == [["299", "30"], ["599", "80"]]
    assert coupon.scope == Coupon.ScopeKind.MERCHANT
    assert (coupon.title_zh_hans, coupon.title_en) == ("店铺满减", "Store spend and save")
    assert coupon.platform_percent == 0


def test_the_form_shows_the_services_refusals(tenants):
    now = timezone.localtime()
    response = tenants.a.client.post(
        reverse("seller_coupons:create"),
        {
            "title_zh_hans": "坏券",
            "kind": "percent",
            "percent": "100",
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "per_shopper_limit": "1",
            "audience": "everyone",
        },
    )
    assert response.status_code == 200
    assert "A percentage is between 0 and 100." in response.content.decode()
    assert not Coupon.objects.exists()


def test_coupon_pages_are_the_merchants_own(tenants):
    coupon = coupon_create(
        merchant=tenants.a.merchant,
        by=tenants.a.owner,
        title="A's",
        kind="fixed",
        amount="5",
        scope="merchant",
        **window(),
    )
    url = reverse("seller_coupons:detail", args=[coupon.pk])
    assert_cross_tenant_404(url, owner=tenants.a.client, intruder=tenants.b.client)
    assert "A&#x27;s" not in tenants.b.client.get(reverse("seller_coupons:list")).content.decode()


def test_seller_coupon_list_query_count(tenants):
    def grow():
        coupon_create(
            merchant=tenants.a.merchant,
            by=tenants.a.owner,
            title="c",
            kind="fixed",
            amount="5",
            scope="merchant",
            **window(),
        )

    assert_queries(tenants.a.client, reverse("seller_coupons:list"), grow=grow, pin=10)


def test_an_operator_creates_a_platform_coupon_in_the_back_office(client_for):
    ops = client_for(OperatorFactory())
    now = timezone.localtime()
    data = {
        "title_zh_hans": "平台券",
        "title_en": "Platform coupon",
        "code": "welcome",
        "kind": "fixed",
        "amount": "15",
        "percent": "0",
        "threshold": "99",
        "currency": "CNY",
        "scope": "platform",
        "scope_ids": "[]",
        "tiers": "[]",
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": now.strftime("%H:%M:%S"),
        "ends_at_0": (now + timedelta(days=5)).strftime("%Y-%m-%d"),
        "ends_at_1": "12:00:00",
        "per_shopper_limit": "1",
        "audience": "everyone",
        "stackable": "on",
        "cuts_price": "on",
        "platform_percent": "0",
        "is_active": "on",
    }
    response = ops.post(reverse("admin:marketing_coupon_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    coupon = Coupon.objects.get()
    assert coupon.code == "WELCOME" and coupon.merchant is None

    bad = ops.post(
        reverse("admin:marketing_coupon_add"),
        {**data, "code": "other", "kind": "percent", "percent": "120"},
    )
    assert bad.status_code == 200
    assert "A percentage is between 0 and 100." in bad.content.decode()
