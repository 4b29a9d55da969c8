"""The shopper's marketing API: flash sales (list with the gate's counters, admit, the
shopper's admissions, give one up) and coupons (centre, claim by id and by code, mine),
with the same refusals as the pages in the API's one error format."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from marketing.models import CouponClaim, FlashAdmission
from tests.factories import UserFactory
from tests.marketing.test_coupon_pages import platform_coupon

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def error_code(response) -> str:
    return response.json()["error"]["errors"][0]["code"]


def test_flash_sales_list_their_items_with_units_left_from_the_gate(scene, shoppers):
    api(shoppers[0]).post(f"/api/v1/flash/items/{scene.item.pk}/admissions/", {"quantity": 2})
    data = api().get("/api/v1/flash/sales/").json()
    (sale,) = data["results"]
    assert sale["title"] == "Double 11 honey" and sale["live"] is True
    (item,) = sale["items"]
    assert item["flash_price"] == {"amount": "99.00", "currency": "CNY"}
    assert item["price"]["amount"] == "199.00"
    assert (item["quantity"], item["left"]) == (5, 3)


def test_a_shopper_grabs_units_sees_them_and_gives_them_back(scene, shoppers):
    shopper = api(shoppers[0])
    response = shopper.post(f"/api/v1/flash/items/{scene.item.pk}/admissions/", {"quantity": 2})
    assert response.status_code == 201
    body = response.json()
    assert body["quantity"] == 2 and body["status"] == "admitted" and body["expires_at"]
    mine = shopper.get("/api/v1/flash/admissions/").json()["results"]
    assert [a["id"] for a in mine] == [body["id"]]
    # someone else's admission is not theirs to cancel
    other = api(shoppers[1]).post(f"/api/v1/flash/admissions/{body['id']}/cancel/")
    assert other.status_code == 404
    assert shopper.post(f"/api/v1/flash/admissions/{body['id']}/cancel/").status_code == 204
    assert FlashAdmission.objects.get(pk=body["id"]).status == "cancelled"


def test_flash_refusals_come_with_their_codes(scene, shoppers):
    url = f"/api/v1/flash/items/{scene.item.pk}/admissions/"
    over = api(shoppers[0]).post(url, {"quantity": 3})
    assert over.status_code == 400 and error_code(over) == "flash_over_limit"
    for shopper, quantity in zip(shoppers[:3], (2, 2, 1), strict=True):
        assert api(shopper).post(url, {"quantity": quantity}).status_code == 201
    gone = api(shoppers[3]).post(url, {"quantity": 1})
    assert gone.status_code == 400 and error_code(gone) == "flash_sold_out"
    assert api().post(url).status_code in (401, 403)
    assert api(shoppers[0]).post("/api/v1/flash/items/999999/admissions/").status_code == 404


def test_coupons_are_claimed_once_by_id_or_code_and_listed_as_mine(user):
    open_coupon = platform_coupon(issue_limit=10)
    coded = platform_coupon(title="VIP", code="VIP2026", audience="list", allowed_users=[user])
    shopper = api(user)
    centre = api().get("/api/v1/coupons/").json()["results"]
    assert [c["id"] for c in centre] == [open_coupon.pk]  # list-only coupons are not shown
    assert centre[0]["tiers"] == [["299", "30"]]

    assert shopper.post(f"/api/v1/coupons/{open_coupon.pk}/claim/").status_code == 201
    again = shopper.post(f"/api/v1/coupons/{open_coupon.pk}/claim/")
    assert again.status_code == 400
    assert CouponClaim.objects.filter(user=user).count() == 1
    mine = shopper.get("/api/v1/coupons/mine/").json()["results"]
    assert [c["coupon"]["id"] for c in mine] == [open_coupon.pk]
    assert api(UserFactory()).get("/api/v1/coupons/mine/").json()["results"] == []
    assert api().post(f"/api/v1/coupons/{open_coupon.pk}/claim/").status_code in (401, 403)
    by_code = shopper.post("/api/v1/coupons/claim/", {"code": "VIP2026"}, format="json")
    assert by_code.status_code == 201 and by_code.json()["coupon"]["id"] == coded.pk
    stranger = api(UserFactory()).post("/api/v1/coupons/claim/", {"code": "VIP2026"})
    assert stranger.status_code == 400  # a list-only coupon is for the list
