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


def test_a_product_code_opens_that_product_and_still_counts_for_the_store(world, client):
    store = offline_store_create(merchant=world.kiwi, name="Kiwi Nature Jing'an")
    product = world.balm.product
    scan = reverse("o2o:scan", args=[store.code])
    response = client.get(f"{scan}?p={product.pk}")
    assert response["Location"] == reverse("storefront:product", args=[product.pk, product.slug])
    # another merchant's product, a full-width number or nonsense: the store page instead
    for value in (world.serum.product.pk, "１", "x"):
        response = client.get(f"{scan}?p={value}")
        assert response["Location"] == reverse("storefront:merchant", args=[world.kiwi.slug])
    assert store.scans.count() == 4


def test_the_store_page_lists_its_orders_and_edits_the_store(world, client_for):
    from tests.factories import MembershipFactory

    owner = MembershipFactory(merchant=world.kiwi).user
    seller = client_for(owner)
    store = offline_store_create(merchant=world.kiwi, name="Jing'an")
    buyer, cart = shopper_with((world.balm, 1))
    store_scan_record(code=store.code, user=buyer)
    order = place(buyer, cart).orders.get()
    url = reverse("seller_stores:detail", args=[store.pk])
    page = seller.get(url).content.decode()
    assert f'data-order="{order.number}"' in page
    assert reverse("seller_orders:detail", args=[order.number]) in page
    assert 'data-figure="orders">1<' in page
    response = seller.post(
        url, {"name": "Jing'an Temple", "address": "1 Nanjing Rd", "opening_hours": "10–22"}
    )
    assert response.status_code == 302
    store.refresh_from_db()
    assert (store.name, store.opening_hours, store.is_active) == ("Jing'an Temple", "10–22", False)
    # closed (the box was left unticked): its code no longer opens anything or attributes
    assert seller.get(reverse("o2o:scan", args=[store.code])).status_code == 404
    zh = seller.get(url.replace("/en/", "/zh-hans/", 1)).content.decode()
    assert "本店订单" in zh and "营业时间" in zh


def test_the_poster_is_bilingual_and_its_qr_code_scans_as_the_store_link(tenants, tmp_path):
    from django.conf import settings

    from tests.pdfs import barcodes, text_of

    store = offline_store_create(
        merchant=tenants.a.merchant, name="Corner shop", address="8 Queen St", opening_hours="9-5"
    )
    response = tenants.a.client.get(reverse("seller_stores:poster", args=[store.pk]))
    assert response["Content-Type"] == "application/pdf"
    (page,) = text_of(response.content)
    assert "Corner shop" in page and "扫码进店" in page and "Scan to shop" in page
    assert "8 Queen St" in page and "9-5" in page
    link = settings.SITE_URL + reverse("o2o:scan", args=[store.code])
    assert barcodes(response.content, tmp_path, "qrcode") == [link]


def test_a_product_poster_names_the_product_and_scans_as_its_link(world, client_for, tmp_path):
    from django.conf import settings

    from tests.factories import MembershipFactory
    from tests.pdfs import barcodes, text_of

    seller = client_for(MembershipFactory(merchant=world.kiwi).user)
    store = offline_store_create(merchant=world.kiwi, name="Jing'an")
    product = world.balm.product
    url = reverse("seller_stores:poster", args=[store.pk]) + f"?product={product.pk}"
    pdf = seller.get(url).content
    (page,) = text_of(pdf)
    assert product.name_en in page and "扫码购买此商品" in page
    link = settings.SITE_URL + reverse("o2o:scan", args=[store.code]) + f"?p={product.pk}"
    assert barcodes(pdf, tmp_path, "qrcode") == [link]


def test_every_store_page_is_the_merchants_own(tenants):
    store = offline_store_create(merchant=tenants.a.merchant, name="A's corner shop")
    for name in ("detail", "qr", "poster"):
        url = reverse(f"seller_stores:{name}", args=[store.pk])
        assert_cross_tenant_404(url, owner=tenants.a.client, intruder=tenants.b.client)
    response = tenants.b.client.post(
        reverse("seller_stores:detail", args=[store.pk]), {"name": "taken over"}
    )
    assert response.status_code == 404
    store.refresh_from_db()
    assert store.name == "A's corner shop"


def test_the_store_page_query_count(tenants):
    store = offline_store_create(merchant=tenants.a.merchant, name="Shop")

    def grow():
        for n in range(3):
            StoreOrder.objects.create(
                store=store,
                order_id=10_000 + StoreOrder.objects.count() + n,
                order_number="",
                checkout_number="C1",
                store_code=store.code,
                paid=Decimal("1.00"),
                currency="CNY",
            )

    url = reverse("seller_stores:detail", args=[store.pk])
    assert_queries(tenants.a.client, url, grow=grow, pin=5)
