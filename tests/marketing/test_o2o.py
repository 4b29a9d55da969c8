"""O2O store codes: a merchant's offline store gets a QR code that opens its store online;
the scan (kept across log-in) gives the merchant's orders of the next checkout that store's
code; the seller page lists stores with their report; cross-tenant and query count."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from marketing.o2o.models import OfflineStore, StoreOrder
from marketing.o2o.services import offline_store_create, store_scan_record
from tests.factories import PASSWORD
from tests.orders.checkout_helpers import place, shopper_with
from tests.querycounts import assert_queries
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db
LIST = "seller_stores:list"


def test_scanning_a_store_code_attributes_the_order_to_the_store(world, client):
    store = offline_store_create(merchant=world.kiwi, name="Kiwi Nature Jing'an")
    other = offline_store_create(merchant=world.tokyo, name="Tokyo Beauty Xuhui")
    buyer, cart = shopper_with((world.balm, 1))
    response = client.get(reverse("o2o:scan", args=[store.code]))
    assert response.status_code == 302
    assert response["Location"] == reverse("storefront:merchant", args=[world.kiwi.slug])
    client.post(reverse("accounts:login"), {"username": buyer.email, "password": PASSWORD})
    store_scan_record(code=other.code, user=buyer)  # another merchant's store: not this order
    checkout = place(buyer, cart)
    row = StoreOrder.objects.get()
    assert row.store == store and row.store_code == store.code
    assert row.order_id == checkout.orders.get().pk and row.paid == Decimal("39.00")
    assert client.get(reverse("o2o:scan", args=["NOPE"])).status_code == 404


def test_a_merchant_adds_stores_and_reads_their_report(tenants, world):
    a = tenants.a
    assert a.client.post(reverse(LIST), {"name": "", "address": ""}).status_code == 200
    assert (
        a.client.post(reverse(LIST), {"name": "Nanjing Road", "address": "No. 1"}).status_code
        == 302
    )
    store = OfflineStore.objects.for_merchant(a.merchant).get()
    store_scan_record(code=store.code)
    store_scan_record(code=store.code)
    page = a.client.get(reverse(LIST)).content.decode()
    assert "Nanjing Road" in page and 'data-figure="scans">2<' in page
    qr = a.client.get(reverse("seller_stores:qr", args=[store.pk]))
    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<svg")
    zh = a.client.get("/zh-hans/seller/marketing/stores/").content.decode()
    assert "线下门店" in zh


def test_stores_are_the_merchants_own(tenants):
    store = offline_store_create(merchant=tenants.a.merchant, name="A's corner shop")
    url = reverse("seller_stores:qr", args=[store.pk])
    assert_cross_tenant_404(url, owner=tenants.a.client, intruder=tenants.b.client)
    assert "corner shop" not in tenants.b.client.get(reverse(LIST)).content.decode()


def test_the_stores_page_query_count(tenants):
    a = tenants.a

    def grow():
        store = offline_store_create(merchant=a.merchant, name="Shop")
        store_scan_record(code=store.code)

    assert_queries(a.client, reverse(LIST), grow=grow, pin=12)
