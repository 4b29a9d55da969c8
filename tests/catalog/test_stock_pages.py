"""Seller-portal inventory pages: what a merchant sees and does, who may do it, tenancy,
query counts, and Chinese pages without English."""

import re

import pytest
from django.urls import reverse

from catalog.models import ImportJob, Stock, StockAdjustment
from catalog.services.imports import import_job_create
from catalog.services.stock import StockLine, stock_receive, stock_reserve
from logistics.models import Warehouse
from merchants.roles import Role
from tests.catalog.csv_rows import stock_csv
from tests.factories import (
    MembershipFactory,
    OperatorFactory,
    ProductFactory,
    SKUFactory,
    UserFactory,
    WarehouseFactory,
)
from tests.marketplace.test_i18n import english_words
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory(tenants):
    """Merchant A with a platform warehouse, its own warehouse, and stock in both."""
    merchant = tenants.a.merchant
    platform = WarehouseFactory(
        code="auckland", name_en="Auckland", name_zh_hans="奥克兰仓", kind="overseas", country="NZ"
    )
    own = WarehouseFactory(
        code="a-own",
        name_en="A store room",
        name_zh_hans="甲库房",
        kind="domestic",
        merchant=merchant,
    )
    product = ProductFactory(merchant=merchant, name_en="Manuka Honey", name_zh_hans="麦卢卡蜂蜜")
    plenty = SKUFactory(product=product, code="HONEY-250", low_stock_threshold=5)
    low = SKUFactory(product=product, code="HONEY-500", low_stock_threshold=5)
    stock_receive(merchant=merchant, sku=plenty, warehouse=platform, quantity=40)
    row = stock_receive(merchant=merchant, sku=low, warehouse=own, quantity=6).stock
    stock_reserve(lines=[StockLine(row.pk, 3)])
    return {"platform": platform, "own": own, "plenty": plenty, "low": low, "row": row}


def test_the_overview_shows_counters_and_highlights_low_stock(tenants, inventory):
    html = tenants.a.client.get("/en/seller/stock/").content.decode()
    assert "HONEY-250" in html and "HONEY-500" in html
    low_row = re.search(
        rf'<tr class="low" data-stock="{inventory["row"].pk}">(.*?)</tr>', html, re.S
    )
    assert low_row, "the low-stock row is highlighted"
    cells = re.findall(r'<td class="num">(\d+)</td>', low_row.group(1))
    assert cells == ["6", "3", "3"]  # on hand, reserved, available
    assert "Low stock" in low_row.group(1)
    assert "1 variant is low on stock." in html


def test_the_overview_filters(tenants, inventory):
    client = tenants.a.client
    by_warehouse = client.get("/en/seller/stock/", {"warehouse": inventory["own"].pk}).content
    assert b"HONEY-500" in by_warehouse and b"HONEY-250" not in by_warehouse
    by_kind = client.get("/en/seller/stock/", {"kind": "overseas"}).content
    assert b"HONEY-250" in by_kind and b"HONEY-500" not in by_kind
    low_only = client.get("/en/seller/stock/", {"low": "on"}).content
    assert b"HONEY-500" in low_only and b"HONEY-250" not in low_only
    by_name = client.get("/en/seller/stock/", {"q": "麦卢卡"}).content
    assert b"HONEY-250" in by_name
    nothing = client.get("/en/seller/stock/", {"q": "zzz"}).content.decode()
    assert "No stock yet" in nothing


def test_the_overview_and_low_stock_pages_do_not_grow_queries_with_rows(
    tenants, inventory, django_assert_max_num_queries
):
    merchant = tenants.a.merchant
    for i in range(30):
        sku = SKUFactory(product__merchant=merchant, code=f"BULK-{i}", low_stock_threshold=50)
        stock_receive(merchant=merchant, sku=sku, warehouse=inventory["platform"], quantity=1)
    # session, user, membership, page rows, count, low count, warehouses filter, nav…
    with django_assert_max_num_queries(12):
        assert tenants.a.client.get("/en/seller/stock/").status_code == 200
    with django_assert_max_num_queries(10):
        html = tenants.a.client.get("/en/seller/stock/low/").content.decode()
    assert "BULK-29" in html and "HONEY-500" in html and "HONEY-250" not in html


def test_adjusting_from_the_row_page_writes_the_ledger(tenants, inventory):
    url = reverse("stock:detail", args=[inventory["row"].pk])
    response = tenants.a.client.post(url, {"reason": "receipt", "quantity": "10", "note": "PO-9"})
    assert response.status_code == 302 and response.url == url
    page = tenants.a.client.get(url).content.decode()
    assert '<dd data-field="on_hand">16</dd>' in page
    assert '<dd data-field="available">13</dd>' in page
    assert "PO-9" in page and tenants.a.owner.email in page
    assert page.count("<tr data-reason=") == 3  # receipt, reservation, receipt
    last = StockAdjustment.objects.latest("id")
    assert (last.reason, last.on_hand_delta, last.actor) == ("receipt", 10, tenants.a.owner)


def test_the_reason_is_required_and_rules_come_back_on_the_form(tenants, inventory):
    url = reverse("stock:detail", args=[inventory["row"].pk])
    missing = tenants.a.client.post(url, {"quantity": "1"})
    assert missing.status_code == 200 and "This field is required." in missing.content.decode()
    too_many = tenants.a.client.post(url, {"reason": "damage", "quantity": "5"})
    assert "Only 3 units of HONEY-500" in too_many.content.decode()
    assert Stock.objects.get(pk=inventory["row"].pk).on_hand == 6


def test_the_adjust_page_receives_a_sku_into_a_new_warehouse(tenants, inventory):
    response = tenants.a.client.post(
        "/en/seller/stock/adjust/",
        {
            "sku_code": "HONEY-250",
            "warehouse": inventory["own"].pk,
            "reason": "receipt",
            "quantity": "12",
        },
    )
    row = Stock.objects.get(sku=inventory["plenty"], warehouse=inventory["own"])
    assert response.url == reverse("stock:detail", args=[row.pk]) and row.on_hand == 12


def test_the_adjust_page_offers_no_other_merchants_warehouse_or_sku(tenants, inventory):
    foreign_wh = WarehouseFactory(kind="overseas", merchant=tenants.b.merchant, code="b-wh")
    foreign_sku = SKUFactory(product__merchant=tenants.b.merchant, code="B-ONLY")
    page = tenants.a.client.get("/en/seller/stock/adjust/").content.decode()
    assert "b-wh" not in page and f'value="{foreign_wh.pk}"' not in page
    response = tenants.a.client.post(
        "/en/seller/stock/adjust/",
        {
            "sku_code": foreign_sku.code,
            "warehouse": foreign_wh.pk,
            "reason": "receipt",
            "quantity": 1,
        },
    )
    html = response.content.decode()
    assert "You have no SKU with this code." in html
    assert "Select a valid choice" in html
    assert not Stock.objects.filter(warehouse=foreign_wh).exists()


def test_warehouses_list_and_register(tenants, inventory):
    page = tenants.a.client.get("/en/seller/stock/warehouses/").content.decode()
    assert 'data-warehouse="auckland"' in page and 'data-warehouse="a-own"' in page
    assert "Platform" in page and "Yours" in page
    created = tenants.a.client.post(
        "/en/seller/stock/warehouses/new/",
        {
            "code": "osaka",
            "name_en": "Osaka",
            "kind": "overseas",
            "country": "jp",
            "is_active": "on",
        },
    )
    assert created.status_code == 302
    osaka = Warehouse.objects.get(code="osaka")
    assert (osaka.merchant, osaka.country) == (tenants.a.merchant, "JP")
    bonded = tenants.a.client.post(
        "/en/seller/stock/warehouses/new/",
        {"code": "sneaky", "name_en": "S", "kind": "bonded", "country": "CN"},
    )
    assert bonded.status_code == 200 and not Warehouse.objects.filter(code="sneaky").exists()
    taken = tenants.a.client.post(
        "/en/seller/stock/warehouses/new/",
        {"code": "auckland", "name_en": "Again", "kind": "overseas", "country": "NZ"},
    )
    assert "already exists" in taken.content.decode()


def test_a_merchant_edits_its_own_warehouse(tenants, inventory):
    url = reverse("warehouses:edit", args=[inventory["own"].pk])
    response = tenants.a.client.post(
        url, {"name_en": "Renamed", "name_zh_hans": "改名", "country": "CN", "address": "x"}
    )
    assert response.status_code == 302
    inventory["own"].refresh_from_db()
    assert (inventory["own"].name_en, inventory["own"].is_active) == ("Renamed", False)
    platform = reverse("warehouses:edit", args=[inventory["platform"].pk])
    assert tenants.a.client.get(platform).status_code == 404


def test_the_import_page_lists_uploads_and_their_reports(tenants, inventory):
    import_job_create(
        merchant=tenants.a.merchant,
        kind="stock",
        data=stock_csv([("HONEY-250", "mars", "1")]),
        filename="count.csv",
        actor=tenants.a.owner,
    )
    page = tenants.a.client.get("/en/seller/stock/imports/").content.decode()
    assert "count.csv" in page and "Failed" in page
    job = ImportJob.objects.get()
    report = tenants.a.client.get(reverse("stock:import_detail", args=[job.pk])).content.decode()
    assert "Unknown warehouse code" in report and "<code>warehouse_code</code>" in report


# --- who may do what -------------------------------------------------------------------------


def _pages(inventory, job):
    return [
        "/en/seller/stock/",
        "/en/seller/stock/low/",
        "/en/seller/stock/adjust/",
        reverse("stock:detail", args=[inventory["row"].pk]),
        "/en/seller/stock/warehouses/",
        "/en/seller/stock/warehouses/new/",
        reverse("warehouses:edit", args=[inventory["own"].pk]),
        "/en/seller/stock/imports/",
        reverse("stock:import_detail", args=[job.pk]),
        "/en/seller/stock/export/stock.csv",
    ]


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.STAFF])
def test_every_staff_role_can_read_and_adjust(client_for, tenants, inventory, role):
    member = MembershipFactory(merchant=tenants.a.merchant, role=role)
    client = client_for(member.user)
    job = import_job_create(
        merchant=tenants.a.merchant, kind="stock", data=b"", actor=tenants.a.owner
    )
    for url in _pages(inventory, job):
        assert client.get(url).status_code == 200, url
    posted = client.post(
        reverse("stock:detail", args=[inventory["row"].pk]), {"reason": "receipt", "quantity": 1}
    )
    assert posted.status_code == 302


def test_outsiders_are_kept_out(client, client_for, tenants, inventory):
    job = import_job_create(
        merchant=tenants.a.merchant, kind="stock", data=b"", actor=tenants.a.owner
    )
    shopper = client_for(UserFactory())
    operator = client_for(OperatorFactory())
    for url in _pages(inventory, job):
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url, url
        # no merchant to act for: sent to the merchant picker (which has nothing to pick)
        assert shopper.get(url).url == reverse("seller:choose"), url
        assert operator.get(url).url == reverse("seller:choose"), url
    before = Stock.objects.get(pk=inventory["row"].pk).on_hand
    client.post(
        reverse("stock:detail", args=[inventory["row"].pk]), {"reason": "receipt", "quantity": 5}
    )
    assert Stock.objects.get(pk=inventory["row"].pk).on_hand == before


def test_writes_need_the_manage_catalog_capability(client_for, tenants, inventory, monkeypatch):
    from merchants import roles

    viewer = MembershipFactory(merchant=tenants.a.merchant, role=Role.STAFF)
    monkeypatch.setitem(roles.CAPABILITIES, Role.STAFF, frozenset({roles.Capability.VIEW}))
    client = client_for(viewer.user)
    url = reverse("stock:detail", args=[inventory["row"].pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "receipt", "quantity": 1}).status_code == 403
    assert client.get("/en/seller/stock/adjust/").status_code == 403
    assert client.post("/en/seller/stock/imports/", {"kind": "stock"}).status_code == 403
    assert Stock.objects.get(pk=inventory["row"].pk).on_hand == 6


# --- tenancy: every page naming an object is 404 for another merchant ----------------------------


def test_stock_row_page_is_404_for_another_merchant(tenants, inventory):
    url = reverse("stock:detail", args=[inventory["row"].pk])
    assert_cross_tenant_404(
        url,
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "post"),
        data={"reason": "receipt", "quantity": 5},
        content_type="application/x-www-form-urlencoded",
    )
    assert Stock.objects.get(pk=inventory["row"].pk).on_hand == 6


def test_warehouse_edit_page_is_404_for_another_merchant(tenants, inventory):
    url = reverse("warehouses:edit", args=[inventory["own"].pk])
    assert_cross_tenant_404(
        url,
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "post"),
        data={"name_en": "Taken over", "country": "NZ"},
        content_type="application/x-www-form-urlencoded",
    )
    inventory["own"].refresh_from_db()
    assert inventory["own"].name_en == "A store room"


def test_import_job_page_is_404_for_another_merchant(tenants, inventory):
    job = import_job_create(
        merchant=tenants.a.merchant, kind="stock", data=b"", actor=tenants.a.owner
    )
    url = reverse("stock:import_detail", args=[job.pk])
    assert_cross_tenant_404(url, owner=tenants.a.client, intruder=tenants.b.client)


def test_list_pages_show_only_the_merchants_own_rows(tenants, inventory):
    html = tenants.b.client.get("/en/seller/stock/").content.decode()
    assert "HONEY" not in html
    assert "HONEY" not in tenants.b.client.get("/en/seller/stock/low/").content.decode()
    warehouses = tenants.b.client.get("/en/seller/stock/warehouses/").content.decode()
    assert "a-own" not in warehouses and "auckland" in warehouses
    import_job_create(merchant=tenants.a.merchant, kind="stock", data=b"", filename="a-secret.csv")
    assert "a-secret.csv" not in tenants.b.client.get("/en/seller/stock/imports/").content.decode()


# --- languages -----------------------------------------------------------------------------------


def _visible_ui_words(html: str) -> set[str]:
    # Data is not UI text: codes (SKU, warehouse, file columns), e-mail addresses and the
    # merchant's own values quoted in error messages.
    html = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    html = re.sub(r"[\w.+-]+@[\w.-]+", "", html)
    html = re.sub(r"“[^”]*”", "", html)
    html = re.sub(r"HONEY-\d+", "", html)  # the fixture's SKU codes inside messages
    return english_words(html) - {"CSV", "UTF", "USD", "CNY", "AUD", "EUR", "GBP", "JPY", "NZD"}


def test_chinese_stock_pages_have_no_english_ui_text(tenants, inventory):
    job = import_job_create(
        merchant=tenants.a.merchant,
        kind="stock",
        data=stock_csv([("HONEY-250", "mars", "x")]),
        language="zh-hans",
        filename="count.csv",
    )
    client = tenants.a.client
    urls = [u.replace("/en/", "/zh-hans/") for u in _pages(inventory, job)[:-1]]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _visible_ui_words(response.content.decode()) == set(), url
    failed_form = client.post(
        reverse("stock:detail", args=[inventory["row"].pk]).replace("/en/", "/zh-hans/"),
        {"reason": "damage", "quantity": "50"},
    )
    assert _visible_ui_words(failed_form.content.decode()) == set()
