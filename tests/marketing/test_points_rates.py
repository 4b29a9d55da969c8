"""The merchant's points rates: the seller page (/<lang>/seller/marketing/points/, in the
Marketing menu) and the seller API (/api/v1/seller/points-rates/): its own rows only, within
the platform's bounds, who set each recorded, the operators' rows not the merchant's to
change, the earning rate they give, both languages, a pinned query count."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from marketing.points.models import PointsRate
from marketing.points.services import points_rate, points_rate_set
from tests.factories import CategoryFactory, MembershipFactory, OperatorFactory
from tests.querycounts import assert_queries
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db
D = Decimal
URL = "seller_points:rates"
API = "/api/v1/seller/points-rates/"


def test_a_merchant_sets_its_points_rates_within_the_bounds(tenants):
    a = tenants.a
    honey = CategoryFactory(name_en="Honey")
    assert a.client.post(reverse(URL), {"points_per_yuan": "2"}).status_code == 302
    saved = a.client.post(reverse(URL), {"category": honey.pk, "points_per_yuan": "3.5"})
    assert saved.status_code == 302
    refused = a.client.post(reverse(URL), {"points_per_yuan": "6"})
    assert refused.status_code == 200
    assert "The platform allows from 0 to 5 points per yuan." in refused.content.decode()
    rows = {
        (r.category_id, r.points_per_yuan, r.set_by)
        for r in PointsRate.objects.filter(merchant=a.merchant)
    }
    assert rows == {(None, D("2.00"), "merchant"), (honey.pk, D("3.50"), "merchant")}
    # the rates earn: the category's over the merchant's over the default
    assert points_rate(a.merchant.pk, honey.pk) == D("3.50")
    assert points_rate(a.merchant.pk, None) == D("2.00")
    page = a.client.get(reverse(URL)).content.decode()
    assert "Honey" in page and "All my goods" in page
    menu = a.client.get(reverse("seller_distribution:rates")).content.decode()
    assert reverse(URL) in menu  # in the Marketing menu


def test_an_operators_rate_wins_and_is_not_the_merchants_to_change(tenants):
    a = tenants.a
    points_rate_set(merchant=a.merchant, points_per_yuan=D("8"), by=OperatorFactory())
    refused = a.client.post(reverse(URL), {"points_per_yuan": "1"})
    assert "The platform set this rate" in refused.content.decode()
    response = a.client.put(API, {"category": None, "points_per_yuan": "1"}, "application/json")
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["code"] == "points_rate_set_by_operator"
    row = PointsRate.objects.get(merchant=a.merchant)
    assert (row.points_per_yuan, row.set_by) == (D("8.00"), "operator")


def test_points_rates_are_the_merchants_own(tenants):
    a, b = tenants.a, tenants.b
    secret = CategoryFactory(name_en="Secret honey")
    points_rate_set(merchant=a.merchant, category=secret, points_per_yuan=D("4"), by=a.owner)
    # (categories are the platform's: every merchant may choose one; the rows are not shared)
    page = b.client.get(reverse(URL)).content.decode()
    rows = page.split('<table class="table points-rates">')[1].split("</table>")[0]
    assert "Secret honey" not in rows and "No rates of your own" in rows
    assert b.client.get(API).json()["rates"] == []
    # B's writes are B's rows: A's row stays as A set it
    b.client.post(reverse(URL), {"category": secret.pk, "points_per_yuan": "1"})
    b.client.put(API, {"category": secret.pk, "points_per_yuan": "2"}, "application/json")
    assert PointsRate.objects.get(merchant=a.merchant).points_per_yuan == D("4.00")
    assert PointsRate.objects.get(merchant=b.merchant).points_per_yuan == D("2.00")


def test_the_seller_api_reads_and_sets_the_rates(tenants):
    a = tenants.a
    body = a.client.get(API).json()
    assert body == {
        "default_points_per_yuan": "1",
        "merchant_max_points_per_yuan": "5",
        "rates": [],
    }
    cat = CategoryFactory(name_en="Tea")
    response = a.client.put(API, {"category": cat.pk, "points_per_yuan": "2.5"}, "application/json")
    assert response.status_code == 200
    (row,) = response.json()["rates"]
    assert (row["category"], row["points_per_yuan"], row["set_by"]) == (cat.pk, "2.50", "merchant")
    too_many = a.client.put(API, {"category": None, "points_per_yuan": "9"}, "application/json")
    assert too_many.status_code == 400
    assert too_many.json()["error"]["errors"][0]["code"] == "points_rate_out_of_bounds"


def test_a_shopper_who_is_no_member_is_refused(client_for):
    from tests.factories import UserFactory

    client = client_for(UserFactory())
    assert client.get(API).status_code == 403
    response = client.put(API, {"category": None, "points_per_yuan": "1"}, "application/json")
    assert response.status_code == 403
    assert client.get(reverse(URL)).status_code in (302, 403)
    assert not PointsRate.objects.exists()


def test_the_points_rates_page_in_chinese_and_its_query_count(tenants):
    a = tenants.a
    zh = "/zh-hans/seller/marketing/points/"
    page = a.client.get(zh).content.decode()
    assert "积分比例" in page and "每元积分" in page
    refused = a.client.post(zh, {"points_per_yuan": "6"}).content.decode()
    assert "平台允许每元 0 至 5 积分。" in refused

    def grow():
        points_rate_set(
            merchant=a.merchant,
            category=CategoryFactory(),
            points_per_yuan=D("2"),
            by=a.owner,
        )

    assert_queries(a.client, reverse(URL), grow=grow, pin=4)


def test_a_merchant_deletes_its_own_rate_and_the_next_rate_applies(tenants):
    """Kiwi's 3.5 per yuan for honey and 2 for all its goods: deleting the honey rate in the
    portal brings honey to 2; deleting that one through the API brings it to the platform's
    default of 1 (a ¥199.00 jar then earns 199 points, not 696 or 398)."""
    a = tenants.a
    honey = CategoryFactory(name_en="Honey")
    mine = points_rate_set(merchant=a.merchant, points_per_yuan=D("2"), by=a.owner)
    for_honey = points_rate_set(
        merchant=a.merchant, category=honey, points_per_yuan=D("3.5"), by=a.owner
    )
    page = a.client.get(reverse(URL)).content.decode()
    assert reverse("seller_points:delete", args=[for_honey.pk]) in page

    asked = a.client.get(reverse("seller_points:delete", args=[for_honey.pk])).content.decode()
    assert "Delete this rate?" in asked and "3.50 points per yuan" in asked
    done = a.client.post(reverse("seller_points:delete", args=[for_honey.pk]), follow=True)
    assert "Points rate deleted: the next rate applies." in done.content.decode()
    assert points_rate(a.merchant.pk, honey.pk) == D("2.00")

    response = a.client.delete(f"{API}{mine.pk}/")
    assert response.status_code == 200 and response.json()["rates"] == []
    assert points_rate(a.merchant.pk, honey.pk) == D("1")
    assert not PointsRate.objects.filter(merchant=a.merchant).exists()
    # a second delete of the same row: it is gone, a 404
    assert a.client.delete(f"{API}{mine.pk}/").status_code == 404


def test_another_merchant_cannot_delete_a_rate(tenants):
    a, b = tenants.a, tenants.b
    row = points_rate_set(merchant=a.merchant, points_per_yuan=D("3"), by=a.owner)

    # the API has no GET of one rate: the owner sees it in the list before and after
    def listed(client):
        return [r["id"] for r in client.get(API).json()["rates"]]

    assert row.pk in listed(a.client)
    assert b.client.delete(f"{API}{row.pk}/").status_code == 404
    assert row.pk in listed(a.client)
    assert_cross_tenant_404(
        reverse("seller_points:delete", args=[row.pk]),
        owner=a.client,
        intruder=b.client,
        methods=("get", "post"),
    )
    assert PointsRate.objects.get(pk=row.pk).points_per_yuan == D("3.00")


def test_the_platforms_rate_is_not_the_merchants_to_delete_nor_store_staffs(tenants):
    a = tenants.a
    row = points_rate_set(merchant=a.merchant, points_per_yuan=D("8"), by=OperatorFactory())
    page = a.client.get(reverse(URL)).content.decode()
    assert reverse("seller_points:delete", args=[row.pk]) not in page
    response = a.client.delete(f"{API}{row.pk}/")
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["code"] == "points_rate_set_by_operator"
    refused = a.client.post(reverse("seller_points:delete", args=[row.pk]), follow=True)
    assert "The platform set this rate" in refused.content.decode()
    assert PointsRate.objects.filter(pk=row.pk).exists()

    own = points_rate_set(
        merchant=a.merchant, category=CategoryFactory(), points_per_yuan=D("2"), by=a.owner
    )
    counter = MembershipFactory(merchant=a.merchant, role="store_staff")  # no manage_catalog
    client = Client()
    client.force_login(counter.user)
    assert client.delete(f"{API}{own.pk}/").status_code == 403
    assert client.post(reverse("seller_points:delete", args=[own.pk])).status_code == 403
    assert PointsRate.objects.filter(pk=own.pk).exists()


def test_deleting_a_rate_in_chinese(tenants):
    a = tenants.a
    row = points_rate_set(merchant=a.merchant, points_per_yuan=D("2"), by=a.owner)
    zh = f"/zh-hans/seller/marketing/points/{row.pk}/delete/"
    asked = a.client.get(zh).content.decode()
    assert "删除积分比例" in asked and "每元 2.00 积分" in asked
    done = a.client.post(zh, follow=True).content.decode()
    assert "积分比例已删除：现适用次一级的比例。" in done
