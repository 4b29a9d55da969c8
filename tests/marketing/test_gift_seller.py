"""Gifts with purchase (满赠) at the merchant's doors: the seller portal (list, create, edit,
end, inside the Marketing menu), the seller API and the back office — each through
``marketing.gifts.services``, each proven the merchant's own, with pinned query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from marketing.gifts.services import (
    gift_promotion_create,
    gift_promotion_edit,
    gift_promotion_end,
)
from marketing.models import GiftPromotion
from tests.factories import MembershipFactory, OperatorFactory, SKUFactory
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db

LIST = "/en/seller/marketing/gifts/"
API = "/api/v1/seller/gift-promotions/"


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def gift_of(tenant, **over) -> GiftPromotion:
    sample = SKUFactory(product__merchant=tenant.merchant, price=Decimal("25.00"))
    now = timezone.now()
    fields = {
        "title": "满299赠小样",
        "gift_sku": sample,
        "threshold": "299",
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(days=7),
    } | over
    return gift_promotion_create(merchant=tenant.merchant, by=tenant.owner, **fields)


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


# ---------------------------------------------------------------------------- the services


def test_an_edit_keeps_the_rules_and_the_platforms_share(tenants):
    gift = gift_of(tenants.a)
    GiftPromotion.objects.filter(pk=gift.pk).update(platform_percent=30)  # an operator's
    gift.refresh_from_db()
    changed = gift_promotion_edit(
        gift=gift,
        by=tenants.a.owner,
        title="满399赠小样",
        gift_sku=gift.gift_sku,
        quantity=2,
        threshold="399",
        starts_at=gift.starts_at,
        ends_at=gift.ends_at,
    )
    assert (changed.title, changed.quantity, changed.threshold) == (
        "满399赠小样",
        2,
        Decimal("399"),
    )
    assert changed.platform_percent == 30  # the merchant's edit keeps the operator's share
    with pytest.raises(ValidationError) as refused:
        gift_promotion_edit(
            gift=gift,
            by=tenants.a.owner,
            title="x",
            gift_sku=gift.gift_sku,
            threshold="0",
            starts_at=gift.starts_at,
            ends_at=gift.ends_at,
        )
    assert codes(refused.value) == {"gift_threshold_positive"}


def test_a_gift_is_ended_once(tenants):
    gift = gift_of(tenants.a)
    ended = gift_promotion_end(gift=gift, by=tenants.a.owner)
    assert ended.is_active is False
    with pytest.raises(ValidationError) as again:
        gift_promotion_end(gift=gift, by=tenants.a.owner)
    assert codes(again.value) == {"gift_ended"}


# ---------------------------------------------------------------------------- the portal


def test_a_merchant_creates_edits_and_ends_a_gift_in_the_portal(tenants):
    client = tenants.a.client
    menu = client.get("/en/seller/").content.decode()
    assert f'href="{LIST}"' in menu  # inside the Marketing menu
    sample = SKUFactory(product__merchant=tenants.a.merchant, price=Decimal("25.00"))
    now = timezone.now()
    data = {
        "title_zh_hans": "满299赠小样",
        "title_en": "Free sample over 299",
        "gift_sku": sample.pk,
        "quantity": 1,
        "threshold": "299",
        "starts_at": local(now),
        "ends_at": local(now + timedelta(days=3)),
    }
    created = client.post(f"{LIST}new/", data)
    assert created.status_code == 302, created.content.decode()[:2000]
    gift = GiftPromotion.objects.get()
    assert (gift.merchant, gift.gift_sku, gift.currency) == (tenants.a.merchant, sample, "CNY")
    page = client.get(LIST).content.decode()
    assert f'data-gift="{gift.pk}" data-state="live"' in page and sample.code in page

    edit = f"{LIST}{gift.pk}/edit/"
    assert "满299赠小样" in client.get(edit).content.decode()
    assert client.post(edit, {**data, "threshold": "199"}).status_code == 302
    gift.refresh_from_db()
    assert gift.threshold == Decimal("199")

    assert client.post(LIST, {"end": gift.pk}).status_code == 302
    gift.refresh_from_db()
    assert gift.is_active is False
    assert 'data-state="stopped"' in client.get(LIST).content.decode()


def test_the_portal_refuses_another_merchants_sku_on_the_field(tenants):
    theirs = SKUFactory(product__merchant=tenants.b.merchant)
    now = timezone.now()
    response = tenants.a.client.post(
        f"{LIST}new/",
        {
            "title_zh_hans": "x",
            "gift_sku": theirs.pk,
            "quantity": 1,
            "threshold": "10",
            "starts_at": local(now),
            "ends_at": local(now + timedelta(days=1)),
        },
    )
    assert response.status_code == 200 and not GiftPromotion.objects.exists()


def test_the_portal_pages_are_the_merchants_own(tenants):
    gift = gift_of(tenants.a)
    assert_cross_tenant_404(
        f"{LIST}{gift.pk}/edit/",
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "post"),
    )
    assert tenants.b.client.post(LIST, {"end": gift.pk}).status_code == 404
    gift.refresh_from_db()
    assert gift.is_active and gift.title == "满299赠小样"
    assert f'data-gift="{gift.pk}"' not in tenants.b.client.get(LIST).content.decode()


def test_the_portal_pages_in_chinese(tenants):
    gift_of(tenants.a)
    page = tenants.a.client.get("/zh-hans/seller/marketing/gifts/").content.decode()
    assert "满赠" in page and "进行中" in page


def test_the_portal_query_counts_are_pinned(tenants, django_assert_max_num_queries):
    gift = gift_of(tenants.a)
    client = tenants.a.client
    client.get(LIST)
    with django_assert_max_num_queries(9):
        assert client.get(LIST).status_code == 200
    for _ in range(3):
        gift_of(tenants.a)
    with django_assert_max_num_queries(9):  # no query per row
        assert client.get(LIST).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"{LIST}{gift.pk}/edit/").status_code == 200


# ---------------------------------------------------------------------------- seller API


def api_terms(sku, **over) -> dict:
    now = timezone.now()
    return {
        "title_zh_hans": "满299赠小样",
        "title_en": "Free sample over 299",
        "gift_sku": sku.pk,
        "quantity": 2,
        "threshold": "299.00",
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=2)).isoformat(),
    } | over


def test_the_api_creates_lists_changes_and_ends(tenants):
    client = tenants.a.client
    sku = SKUFactory(product__merchant=tenants.a.merchant)
    made = client.post(API, api_terms(sku), content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["gift_sku"], body["gift_sku_code"], body["quantity"]) == (sku.pk, sku.code, 2)
    assert (body["threshold"], body["currency"], body["state"]) == ("299.00", "CNY", "live")
    assert body["platform_percent"] == 0
    url = f"{API}{body['id']}/"
    assert [g["id"] for g in client.get(API).json()["results"]] == [body["id"]]
    changed = client.put(url, api_terms(sku, quantity=1), content_type="application/json")
    assert changed.status_code == 200 and changed.json()["quantity"] == 1
    ended = client.post(f"{url}end/", content_type="application/json")
    assert ended.status_code == 200 and ended.json()["state"] == "stopped"
    again = client.post(f"{url}end/", content_type="application/json")
    assert again.status_code == 400
    assert again.json()["error"]["errors"][0]["code"] == "gift_ended"


def test_the_api_says_why_a_gift_is_refused(tenants):
    theirs = SKUFactory(product__merchant=tenants.b.merchant)
    response = tenants.a.client.post(API, api_terms(theirs), content_type="application/json")
    assert response.status_code == 400 and "gift_sku_unknown" in response.content.decode()
    assert not GiftPromotion.objects.exists()


def test_the_api_gifts_are_the_merchants_own(tenants):
    gift = gift_of(tenants.a)
    url = f"{API}{gift.pk}/"
    assert_cross_tenant_404(
        url, owner=tenants.a.client, intruder=tenants.b.client, methods=("get", "put")
    )
    assert tenants.b.client.post(f"{url}end/", content_type="application/json").status_code == 404
    gift.refresh_from_db()
    assert gift.is_active
    assert tenants.b.client.get(API).json()["results"] == []


def test_the_api_list_query_count_does_not_grow(tenants, django_assert_max_num_queries):
    gift_of(tenants.a)
    tenants.a.client.get(API)
    with django_assert_max_num_queries(8):
        assert len(tenants.a.client.get(API).json()["results"]) == 1
    for _ in range(3):
        gift_of(tenants.a)
    with django_assert_max_num_queries(8):
        assert len(tenants.a.client.get(API).json()["results"]) == 4


# ---------------------------------------------------------------------------- back office


def test_an_operator_creates_a_gift_with_a_platform_share_and_ends_it(client_for):
    merchant = MembershipFactory().merchant
    sku = SKUFactory(product__merchant=merchant)
    operator = client_for(OperatorFactory())
    add = reverse("admin:marketing_giftpromotion_add")
    assert operator.get(add).status_code == 200
    now = timezone.localtime()
    data = {
        "merchant": merchant.pk,
        "title_zh_hans": "平台分担",
        "title_en": "Shared",
        "gift_sku": sku.pk,
        "quantity": 1,
        "threshold": "199",
        "currency": "CNY",
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": now.strftime("%H:%M:%S"),
        "ends_at_0": (now + timedelta(days=2)).strftime("%Y-%m-%d"),
        "ends_at_1": now.strftime("%H:%M:%S"),
        "platform_percent": 50,
    }
    response = operator.post(add, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    gift = GiftPromotion.objects.get()
    assert (gift.merchant, gift.platform_percent) == (merchant, 50)
    listing = operator.get(reverse("admin:marketing_giftpromotion_changelist"))
    assert listing.status_code == 200 and "Shared" in listing.content.decode()
    operator.post(
        reverse("admin:marketing_giftpromotion_changelist"),
        {"action": "end_now", "_selected_action": [gift.pk]},
    )
    gift.refresh_from_db()
    assert gift.is_active is False


def test_the_back_office_is_for_operators(client_for):
    seller = client_for(MembershipFactory().user)
    assert seller.get(reverse("admin:marketing_giftpromotion_changelist")).status_code == 302
