"""Scheduling flash sales at every door: the service's rules (edit before the start, no
overlap, cancel once), the seller portal's edit page and list states, the seller API, and
the back office — with a cross-tenant proof for every seller page and endpoint."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from marketing.flash.services import (
    flash_admit,
    flash_gate_reconcile,
    flash_sale_cancel,
    flash_sale_edit,
)
from marketing.models import FlashSale
from tests.factories import (
    MembershipFactory,
    OperatorFactory,
    SKUFactory,
    StockFactory,
    UserFactory,
)
from tests.marketing.conftest import make_scene
from tests.marketing.test_flash_pages import _sale_of, _schedule_data
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


def terms(sale, **over) -> dict:
    item = sale.items.get()
    data = {
        "title": sale.title,
        "starts_at": sale.starts_at,
        "ends_at": sale.ends_at,
        "per_shopper_limit": sale.per_shopper_limit,
        "items": [{"sku": item.sku_id, "flash_price": item.flash_price, "quantity": 3}],
    }
    data.update(over)
    return data


# ---------------------------------------------------------------------------- the service


def test_a_sale_is_changed_before_it_starts_and_not_after(db):
    scene = make_scene(starts_in=timedelta(hours=1))
    owner = scene.membership.user
    later = scene.sale.starts_at + timedelta(minutes=30)
    sale = flash_sale_edit(sale=scene.sale, by=owner, **terms(scene.sale, starts_at=later))
    assert sale.starts_at == later and sale.items.get().quantity == 3

    live = make_scene()
    with pytest.raises(ValidationError) as refused:
        flash_sale_edit(sale=live.sale, by=live.membership.user, **terms(live.sale))
    assert codes(refused.value) == {"flash_sale_started"}


def test_an_edit_keeps_the_rules_and_does_not_overlap_itself(db):
    scene = make_scene(starts_in=timedelta(hours=1))
    owner = scene.membership.user
    # its own window again: no overlap with itself
    flash_sale_edit(sale=scene.sale, by=owner, **terms(scene.sale))
    bad = terms(scene.sale, ends_at=scene.sale.starts_at - timedelta(minutes=1))
    bad["items"][0]["flash_price"] = Decimal("250.00")
    with pytest.raises(ValidationError) as refused:
        flash_sale_edit(sale=scene.sale, by=owner, **bad)
    assert codes(refused.value) == {"flash_window_inverted"}  # the window first
    with pytest.raises(ValidationError) as refused:
        flash_sale_edit(sale=scene.sale, by=owner, **terms(scene.sale, items=bad["items"]))
    assert codes(refused.value) == {"flash_price_not_lower"}


def test_an_overlapping_sale_on_the_same_sku_is_refused(db):
    from marketing.flash.services import flash_sale_schedule

    scene = make_scene(starts_in=timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        flash_sale_schedule(
            merchant=scene.honey.merchant,
            by=scene.membership.user,
            title="Again",
            starts_at=scene.sale.ends_at - timedelta(minutes=1),
            ends_at=scene.sale.ends_at + timedelta(hours=1),
            per_shopper_limit=1,
            items=[{"sku": scene.honey, "flash_price": Decimal("90"), "quantity": 1}],
        )
    assert codes(refused.value) == {"flash_sku_overlap"}


def test_a_sale_is_cancelled_once(db):
    scene = make_scene()
    flash_sale_cancel(sale=scene.sale, by=scene.membership.user)
    with pytest.raises(ValidationError) as refused:
        flash_sale_cancel(sale=scene.sale, by=scene.membership.user)
    assert codes(refused.value) == {"flash_sale_cancelled"}


# ---------------------------------------------------------------------------- seller portal


def test_the_list_shows_each_sales_state(client_for):
    upcoming = make_scene(starts_in=timedelta(hours=1))
    seller = client_for(upcoming.membership.user)
    page = seller.get(reverse("seller_flash:list")).content.decode()
    assert f'data-sale="{upcoming.sale.pk}"' in page and 'data-state="upcoming"' in page

    live = make_scene(units=1, limit=1)
    seller = client_for(live.membership.user)
    assert 'data-state="live"' in seller.get(reverse("seller_flash:list")).content.decode()
    flash_admit(user=UserFactory(), item=live.item, quantity=1)
    page = seller.get(reverse("seller_flash:list")).content.decode()
    assert 'data-state="sold_out"' in page and "Sold out" in page


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_a_merchant_changes_an_upcoming_sale_in_the_portal(tenants):
    sale = _sale_of(tenants.a)
    item = sale.items.get()
    url = reverse("seller_flash:edit", args=[sale.pk])
    form = tenants.a.client.get(url).content.decode()
    assert "Change a flash sale" in form and f'value="{sale.title}"' in form
    data = _schedule_data(item.sku, title="Changed", **{"items-0-quantity": "2"})
    response = tenants.a.client.post(url, data)
    assert response.status_code == 302
    sale.refresh_from_db()
    assert sale.title == "Changed" and sale.items.get().quantity == 2


def test_a_started_sale_cannot_be_changed_in_the_portal(client_for):
    scene = make_scene()
    seller = client_for(scene.membership.user)
    url = reverse("seller_flash:edit", args=[scene.sale.pk])
    response = seller.post(url, _schedule_data(scene.honey, title="Late"))
    assert response.status_code == 200
    assert "can no longer be changed" in response.content.decode()
    scene.sale.refresh_from_db()
    assert scene.sale.title == "Double 11 honey"


def test_the_edit_page_is_the_merchants_own(tenants):
    sale = _sale_of(tenants.a)
    assert_cross_tenant_404(
        reverse("seller_flash:edit", args=[sale.pk]),
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "post"),
    )
    sale.refresh_from_db()
    assert sale.title.startswith("Sale ")


def test_the_edit_page_query_count(tenants, django_assert_max_num_queries):
    sale = _sale_of(tenants.a)
    url = reverse("seller_flash:edit", args=[sale.pk])
    tenants.a.client.get(url)
    with django_assert_max_num_queries(14):
        assert tenants.a.client.get(url).status_code == 200


def test_the_portal_pages_in_chinese(tenants):
    sale = _sale_of(tenants.a)
    page = tenants.a.client.get(f"/zh-hans/seller/marketing/flash/{sale.pk}/edit/")
    assert "修改秒杀活动" in page.content.decode()
    listing = tenants.a.client.get("/zh-hans/seller/marketing/flash/").content.decode()
    assert "即将开始" in listing


# ---------------------------------------------------------------------------- seller API

API = "/api/v1/seller/flash-sales/"


def api_terms(sku, **over) -> dict:
    now = timezone.now()
    data = {
        "title": "API sale",
        "starts_at": (now + timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=2)).isoformat(),
        "per_shopper_limit": 2,
        "items": [{"sku": sku.pk, "flash_price": "9.90", "quantity": 4}],
    }
    data.update(over)
    return data


def _sku_of(tenant, price="19.90", stock=10):
    sku = SKUFactory(product__merchant=tenant.merchant, price=Decimal(price))
    StockFactory(sku=sku, on_hand=stock)
    return sku


def test_the_api_schedules_lists_changes_and_cancels(tenants):
    client = tenants.a.client
    sku = _sku_of(tenants.a)

    made = client.post(API, api_terms(sku), content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["state"] == "upcoming"
    assert body["items"] == [
        {
            "id": body["items"][0]["id"],
            "sku": sku.pk,
            "sku_code": sku.code,
            "flash_price": "9.90",
            "price": "19.90",
            "currency": "CNY",
            "quantity": 4,
        }
    ]
    url = f"{API}{body['id']}/"
    assert [s["id"] for s in client.get(API).json()["results"]] == [body["id"]]

    changed = client.put(url, api_terms(sku, title="Changed"), content_type="application/json")
    assert changed.status_code == 200 and changed.json()["title"] == "Changed"

    cancelled = client.post(f"{url}cancel/", {"reason": "typo"}, content_type="application/json")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    again = client.post(f"{url}cancel/", {}, content_type="application/json")
    assert again.status_code == 400
    assert again.json()["error"]["errors"][0]["code"] == "flash_sale_cancelled"


def test_the_api_says_why_a_sale_is_refused(tenants):
    sku = _sku_of(tenants.a, stock=3)
    bad = api_terms(sku, items=[{"sku": sku.pk, "flash_price": "25.00", "quantity": 5}])
    response = tenants.a.client.post(API, bad, content_type="application/json")
    assert response.status_code == 400
    text = response.content.decode()
    assert "flash_price_not_lower" in text and "flash_quantity_over_stock" in text
    theirs = _sku_of(tenants.b)
    response = tenants.a.client.post(API, api_terms(theirs), content_type="application/json")
    assert response.status_code == 400 and "flash_sku_unknown" in response.content.decode()
    assert not FlashSale.objects.exists()


def test_the_api_sales_are_the_merchants_own(tenants):
    sale = _sale_of(tenants.a)
    url = f"{API}{sale.pk}/"
    assert_cross_tenant_404(
        url, owner=tenants.a.client, intruder=tenants.b.client, methods=("get", "put")
    )
    response = tenants.b.client.post(f"{url}cancel/", {}, content_type="application/json")
    assert response.status_code == 404
    sale.refresh_from_db()
    assert sale.status == FlashSale.Status.SCHEDULED
    assert tenants.b.client.get(API).json()["results"] == []


def test_the_api_list_query_count_does_not_grow(tenants, django_assert_max_num_queries):
    for _ in range(3):
        _sale_of(tenants.a)
    tenants.a.client.get(API)
    with django_assert_max_num_queries(10):
        assert len(tenants.a.client.get(API).json()["results"]) == 3


# ---------------------------------------------------------------------------- back office


def test_an_operator_schedules_a_merchants_sale_in_the_back_office(client_for):
    merchant = MembershipFactory().merchant
    sku = SKUFactory(product__merchant=merchant, price=Decimal("50.00"), code="HONEY-1")
    StockFactory(sku=sku, on_hand=10)
    operator = client_for(OperatorFactory())
    url = reverse("admin:marketing_flashsale_schedule")
    assert "Schedule a flash sale" in operator.get(url).content.decode()
    now = timezone.localtime()
    data = {
        "merchant": merchant.pk,
        "title": "Operator's pick",
        "starts_at": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "per_shopper_limit": 1,
        "items": "HONEY-1, 60, 3",
    }
    refused = operator.post(url, data)
    assert "must be above zero and below its price" in refused.content.decode()
    unknown = operator.post(url, {**data, "items": "NOPE, 10, 3"})
    assert "No such SKU" in unknown.content.decode()
    response = operator.post(url, {**data, "items": "HONEY-1, 25, 3"})
    sale = FlashSale.objects.get()
    assert response.status_code == 302
    assert sale.merchant == merchant and sale.created_by.is_staff
    assert list(sale.items.values_list("sku_id", "flash_price", "quantity")) == [
        (sku.pk, Decimal("25.00"), 3)
    ]


def test_the_back_office_schedule_page_is_for_operators(client_for):
    url = reverse("admin:marketing_flashsale_schedule")
    seller = client_for(MembershipFactory().user)
    assert seller.get(url).status_code == 302  # to the admin log-in


# ---------------------------------------------------------------------------- operators change


def _terms_post(sale, **over):
    item = sale.items.select_related("sku").get()
    now = timezone.localtime()
    data = {
        "title": "Changed by the platform",
        "starts_at": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        "per_shopper_limit": "2",
        "items": f"{item.sku.code}, 8.50, 2",
        "reason": "The merchant asked by phone",
    }
    data.update(over)
    return data


def test_an_operator_changes_a_merchants_upcoming_sale_through_the_merchants_door(
    tenants, client_for, django_capture_on_commit_callbacks
):
    from marketing.flash import gate
    from marketing.flash.selectors import flash_offers

    sale = _sale_of(tenants.a)
    old = sale.items.select_related("sku").get()
    with django_capture_on_commit_callbacks(execute=True):
        flash_gate_reconcile(item_id=old.pk)
    assert gate.gate_left([old.pk]) == {old.pk: 3}
    assert flash_offers([old.sku_id])[old.sku_id].flash_price == Decimal("10.00")

    operator = client_for(OperatorFactory())
    page = operator.get(reverse("admin:marketing_flashsale_change", args=[sale.pk])).content
    terms_url = reverse("admin:marketing_flashsale_terms", args=[sale.pk])
    assert terms_url in page.decode()  # the upcoming sale offers the change
    form = operator.get(terms_url).content.decode()
    assert "Change this upcoming sale" in form and f"{old.sku.code}, 10.00, 3" in form

    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(terms_url, _terms_post(sale))
    assert response.status_code == 302
    sale.refresh_from_db()
    new = sale.items.get()
    assert (sale.title, sale.per_shopper_limit) == ("Changed by the platform", 2)
    assert (new.sku_id, new.flash_price, new.quantity) == (old.sku_id, Decimal("8.50"), 2)
    # the old item's gate is gone, the new one loaded; the product pages' index forgotten
    assert gate.gate_left([old.pk, new.pk]) == {old.pk: None, new.pk: 2}
    assert flash_offers([new.sku_id])[new.sku_id].flash_price == Decimal("8.50")
    event = sale.events.get()
    assert (event.transition, event.actor.is_staff, event.reason) == (
        "operator_change",
        True,
        "The merchant asked by phone",
    )
    history = operator.get(reverse("admin:marketing_flashsale_change", args=[sale.pk]))
    assert "operator_change" in history.content.decode()
    assert "The merchant asked by phone" in history.content.decode()


def test_an_operators_change_keeps_the_merchants_rules(tenants, client_for):
    sale = _sale_of(tenants.a)
    item = sale.items.select_related("sku").get()
    operator = client_for(OperatorFactory())
    url = reverse("admin:marketing_flashsale_terms", args=[sale.pk])
    refused = operator.post(url, _terms_post(sale, items=f"{item.sku.code}, 60, 2"))
    assert "must be above zero and below its price" in refused.content.decode()
    # a SKU of another merchant reads as unknown
    other = SKUFactory(product__merchant=tenants.b.merchant, code="THEIRS-1")
    assert (
        "No such SKU"
        in operator.post(url, _terms_post(sale, items="THEIRS-1, 1, 1")).content.decode()
    )
    assert other.pk and not sale.events.exists()
    # a second sale of the same SKU cannot be moved onto this one's window
    later = flash_sale_schedule_for(tenants.a, item.sku, hours=6)
    now = timezone.localtime()
    onto = _terms_post(
        later,
        starts_at=(now + timedelta(hours=1, minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        items=f"{item.sku.code}, 9, 1",
    )
    answer = operator.post(reverse("admin:marketing_flashsale_terms", args=[later.pk]), onto)
    assert "already in a flash sale at that time" in answer.content.decode()


def flash_sale_schedule_for(tenant, sku, *, hours):
    from marketing.flash.services import flash_sale_schedule

    start = timezone.now() + timedelta(hours=hours)
    return flash_sale_schedule(
        merchant=tenant.merchant,
        by=tenant.owner,
        title="Later",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        per_shopper_limit=1,
        items=[{"sku": sku, "flash_price": Decimal("10.00"), "quantity": 1}],
    )


def test_an_operator_cannot_change_a_sale_that_has_started(client_for):
    live = make_scene()
    operator = client_for(OperatorFactory())
    change = operator.get(reverse("admin:marketing_flashsale_change", args=[live.sale.pk]))
    url = reverse("admin:marketing_flashsale_terms", args=[live.sale.pk])
    assert url not in change.content.decode()  # no offer to change a live sale
    answer = operator.post(url, _terms_post(live.sale))
    assert "can no longer be changed" in answer.content.decode()
    live.sale.refresh_from_db()
    assert live.sale.title == "Double 11 honey" and not live.sale.events.exists()


def test_the_change_action_opens_the_terms_page_for_one_sale(tenants, client_for):
    sale = _sale_of(tenants.a)
    operator = client_for(OperatorFactory())
    changelist = reverse("admin:marketing_flashsale_changelist")
    response = operator.post(changelist, {"action": "change_sale", "_selected_action": [sale.pk]})
    assert response["Location"] == reverse("admin:marketing_flashsale_terms", args=[sale.pk])
    two = operator.post(
        changelist,
        {"action": "change_sale", "_selected_action": [sale.pk, _sale_of(tenants.a).pk]},
        follow=True,
    )
    assert "Select one flash sale to change." in two.content.decode()


def test_the_terms_page_is_for_operators_and_a_merchants_change_is_its_own_event(
    tenants, client_for
):
    sale = _sale_of(tenants.a)
    url = reverse("admin:marketing_flashsale_terms", args=[sale.pk])
    assert client_for(tenants.a.owner).get(url).status_code == 302  # to the admin log-in
    assert (
        client_for(OperatorFactory())
        .get(reverse("admin:marketing_flashsale_terms", args=[999999]))
        .status_code
        == 404
    )
    flash_sale_edit(sale=sale, by=tenants.a.owner, **terms(sale))
    assert list(sale.events.values_list("transition", "actor")) == [("change", tenants.a.owner.pk)]
