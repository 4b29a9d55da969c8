"""Flash-sale pages: the storefront page and 'grab it', the seller portal's sales (with
cross-tenant proofs), and their query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from marketing.flash.services import flash_admission_cancel, flash_admit
from marketing.models import FlashAdmission, FlashSale
from marketplace.cacheversion import storefront_version
from tests.factories import MembershipFactory, SKUFactory, StockFactory
from tests.marketing.conftest import make_scene
from tests.querycounts import assert_queries, count_queries
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def test_the_flash_page_shows_sales_on_now_with_prices_and_countdown(client, scene):
    page = client.get(reverse("flash:sales"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Double 11 honey" in html
    assert "Manuka Honey" in html
    assert "99.00" in html and "199.00" in html
    assert 'class="countdown"' in html
    assert "js/flash.js" in html


def test_the_flash_page_query_count_does_not_grow_with_sales(client, db):
    """Rendered (the page cache's copy retired): the same few queries however many sales;
    warm: none (tests/marketing/test_flash_page_cache.py)."""

    def rendered() -> int:
        storefront_version.bump()
        return count_queries(client, reverse("flash:sales"))

    make_scene()
    rendered()  # the shared caches (FX rates, currencies)
    first = rendered()
    make_scene()
    assert rendered() == first <= 2
    assert_queries(client, reverse("flash:sales"), pin=0)


def test_live_counters_come_from_the_gate(client, scene, shoppers):
    flash_admit(user=shoppers[0], item=scene.item, quantity=2)
    data = client.get(reverse("flash:live")).json()
    assert data == {"items": {str(scene.item.pk): 3}}


def test_grab_it_admits_the_shopper_and_sends_them_to_the_product(client_for, scene, shoppers):
    shopper = client_for(shoppers[0])
    response = shopper.post(reverse("flash:take", args=[scene.item.pk]), {"quantity": 2})

    assert response.status_code == 302
    assert response["Location"].endswith(f"/p/{scene.honey.product.pk}/{scene.honey.product.slug}/")
    assert FlashAdmission.objects.get(user=shoppers[0]).quantity == 2
    page = shopper.get(reverse("flash:sales")).content.decode()
    assert "You hold 2 units of this item" in page


def test_grab_it_over_the_cap_says_why(client_for, scene, shoppers):
    shopper = client_for(shoppers[0])
    response = shopper.post(
        reverse("flash:take", args=[scene.item.pk]), {"quantity": 3}, follow=True
    )
    assert "at most 2" in response.content.decode()
    assert not FlashAdmission.objects.exists()


def test_grab_it_needs_a_signed_in_shopper(client, scene):
    response = client.post(reverse("flash:take", args=[scene.item.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not FlashAdmission.objects.exists()


def test_once_sold_out_grab_it_answers_from_the_gate_without_a_query(
    client,
    client_for,
    scene,
    shoppers,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    for shopper, quantity in zip(shoppers[:3], (2, 2, 1), strict=True):
        flash_admit(user=shopper, item=scene.item, quantity=quantity)
    late = client_for(shoppers[3])
    take = reverse("flash:take", args=[scene.item.pk])
    with django_assert_max_num_queries(0):  # the rush after the last unit: Redis only
        response = late.post(take, {"quantity": 1})
    assert response.status_code == 302 and response["Location"] == reverse("flash:sales")
    assert "Sold out" in late.get(response["Location"]).content.decode()
    anonymous = client.post(take)  # told it is gone rather than asked to sign in for nothing
    assert anonymous["Location"] == reverse("flash:sales")
    assert not FlashAdmission.objects.filter(user=shoppers[3]).exists()
    # a unit given back opens the gate again: the next shopper goes through the admission
    with django_capture_on_commit_callbacks(execute=True):  # units go back after commit
        flash_admission_cancel(
            admission=FlashAdmission.objects.get(user=shoppers[2]), by=shoppers[2]
        )
    late.post(take, {"quantity": 1})
    assert FlashAdmission.objects.filter(user=shoppers[3], status="admitted").exists()


def test_the_page_in_chinese(client, scene):
    page = client.get("/zh-hans/flash/").content.decode()
    assert "限时秒杀" in page
    assert "抢购" in page


# ---------------------------------------------------------------------------- seller portal


def _schedule_data(sku, **over):
    now = timezone.localtime()
    data = {
        "title": "Singles' Day",
        "starts_at": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "per_shopper_limit": "1",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-sku": str(sku.pk),
        "items-0-flash_price": "9.90",
        "items-0-quantity": "5",
    }
    data.update(over)
    return data


def test_a_merchant_schedules_a_flash_sale(tenants):
    sku = SKUFactory(product__merchant=tenants.a.merchant, price=Decimal("19.90"))
    StockFactory(sku=sku, on_hand=10)
    client = tenants.a.client

    response = client.post(reverse("seller_flash:create"), _schedule_data(sku))

    sale = FlashSale.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("seller_flash:detail", args=[sale.pk])
    assert sale.merchant == tenants.a.merchant
    assert list(sale.items.values_list("sku_id", "quantity")) == [(sku.pk, 5)]
    detail = client.get(response["Location"]).content.decode()
    assert "Singles&#x27; Day" in detail and "Upcoming" in detail


def test_scheduling_refuses_a_price_not_below_and_more_units_than_stock(tenants):
    sku = SKUFactory(product__merchant=tenants.a.merchant, price=Decimal("19.90"))
    StockFactory(sku=sku, on_hand=3)
    response = tenants.a.client.post(
        reverse("seller_flash:create"),
        _schedule_data(sku, **{"items-0-flash_price": "25.00", "items-0-quantity": "5"}),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "must be above zero and below its price" in html
    assert "has only 3 units available" in html
    assert not FlashSale.objects.exists()


def test_another_merchants_sku_cannot_be_put_on_sale(tenants):
    theirs = SKUFactory(product__merchant=tenants.b.merchant)
    StockFactory(sku=theirs, on_hand=10)
    response = tenants.a.client.post(reverse("seller_flash:create"), _schedule_data(theirs))
    assert response.status_code == 200  # the choice does not exist for merchant A
    assert not FlashSale.objects.exists()


def test_flash_sale_pages_are_the_merchants_own(tenants):
    scene_sale = _sale_of(tenants.a)
    url = reverse("seller_flash:detail", args=[scene_sale.pk])
    assert_cross_tenant_404(
        url, owner=tenants.a.client, intruder=tenants.b.client, methods=("get", "post")
    )
    assert FlashSale.objects.get().status == FlashSale.Status.SCHEDULED
    listing = tenants.b.client.get(reverse("seller_flash:list")).content.decode()
    assert scene_sale.title not in listing


def test_a_merchant_cancels_their_flash_sale(tenants):
    sale = _sale_of(tenants.a)
    response = tenants.a.client.post(
        reverse("seller_flash:detail", args=[sale.pk]), {"reason": "late"}
    )
    assert response.status_code == 302
    sale.refresh_from_db()
    assert sale.status == FlashSale.Status.CANCELLED
    assert sale.events.get().reason == "late"


def test_flash_sale_pages_need_a_seller(client, client_for, scene):
    url = reverse("seller_flash:detail", args=[scene.sale.pk])
    assert "/accounts/login/" in client.get(url)["Location"]
    assert client_for(MembershipFactory().user).get(url).status_code == 404


def test_seller_pages_query_counts(tenants):
    assert_queries(
        tenants.a.client, reverse("seller_flash:list"), grow=lambda: _sale_of(tenants.a), pin=12
    )
    sale = _sale_of(tenants.a)
    assert_queries(tenants.a.client, reverse("seller_flash:detail", args=[sale.pk]), pin=12)


def _sale_of(tenant) -> FlashSale:
    from marketing.flash.services import flash_sale_schedule

    sku = SKUFactory(product__merchant=tenant.merchant, price=Decimal("50.00"))
    StockFactory(sku=sku, on_hand=10)
    now = timezone.now()
    return flash_sale_schedule(
        merchant=tenant.merchant,
        by=tenant.owner,
        title=f"Sale {sku.code}",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        per_shopper_limit=1,
        items=[{"sku": sku, "flash_price": Decimal("10.00"), "quantity": 3}],
    )
