"""Seller API for inventory: stock, adjustments, low stock, warehouses, imports, exports —
scoped to the merchant, writes need manage_catalog, errors in the one format."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import ImportJob, Stock, StockAdjustment
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
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def inventory(tenants):
    merchant = tenants.a.merchant
    platform = WarehouseFactory(code="auckland", kind="overseas", country="NZ")
    own = WarehouseFactory(code="a-own", kind="domestic", merchant=merchant)
    product = ProductFactory(merchant=merchant)
    sku = SKUFactory(product=product, code="HONEY-250", low_stock_threshold=5)
    row = stock_receive(merchant=merchant, sku=sku, warehouse=platform, quantity=4).stock
    stock_reserve(lines=[StockLine(row.pk, 1)])
    return {"platform": platform, "own": own, "sku": sku, "row": row}


def test_stock_list_and_detail(tenants, inventory, django_assert_max_num_queries):
    for i in range(10):
        extra = SKUFactory(product__merchant=tenants.a.merchant, code=f"X-{i}")
        stock_receive(
            merchant=tenants.a.merchant, sku=extra, warehouse=inventory["own"], quantity=50
        )
    with django_assert_max_num_queries(8):
        body = tenants.a.client.get("/api/v1/seller/stock/").json()
    assert body["count"] == 11
    honey = next(r for r in body["results"] if r["sku"] == "HONEY-250")
    assert honey == {
        "id": inventory["row"].pk,
        "sku": "HONEY-250",
        "product": inventory["sku"].product.name,
        "warehouse": "auckland",
        "warehouse_name": inventory["platform"].name,
        "warehouse_kind": "overseas",
        "on_hand": 4,
        "reserved": 1,
        "available": 3,
        "sku_available": 3,
        "low_stock_threshold": 5,
        "is_low": True,
    }
    low = tenants.a.client.get("/api/v1/seller/stock/", {"low": "true"}).json()
    assert [r["sku"] for r in low["results"]] == ["HONEY-250"]
    by_wh = tenants.a.client.get("/api/v1/seller/stock/", {"warehouse_id": inventory["own"].pk})
    assert by_wh.json()["count"] == 10
    detail = tenants.a.client.get(f"/api/v1/seller/stock/{inventory['row'].pk}/").json()
    assert detail["available"] == 3


def test_adjust_a_row_and_read_its_history(tenants, inventory):
    url = f"/api/v1/seller/stock/{inventory['row'].pk}/adjustments/"
    made = tenants.a.client.post(
        url, {"reason": "receipt", "quantity": 6, "note": "PO-1"}, content_type=JSON
    )
    assert made.status_code == 201
    assert made.json()["on_hand_after"] == 10 and made.json()["actor"] == tenants.a.owner.email
    history = tenants.a.client.get(url).json()
    assert [a["reason"] for a in history["results"]] == ["receipt", "reservation", "receipt"]
    unchanged = tenants.a.client.post(
        url, {"reason": "correction", "quantity": 10}, content_type=JSON
    )
    assert unchanged.status_code == 200 and unchanged.json() == {"changed": False}


def test_adjust_errors_use_the_one_format(tenants, inventory):
    url = f"/api/v1/seller/stock/{inventory['row'].pk}/adjustments/"
    no_reason = tenants.a.client.post(url, {"quantity": 1}, content_type=JSON).json()
    assert no_reason["error"]["code"] == "invalid" and "reason" in no_reason["error"]["fields"]
    sale = tenants.a.client.post(url, {"reason": "sale", "quantity": 1}, content_type=JSON).json()
    assert "reason" in sale["error"]["fields"]
    too_many = tenants.a.client.post(url, {"reason": "damage", "quantity": 9}, content_type=JSON)
    assert too_many.status_code == 400
    assert "Only 3 units" in str(too_many.json()["error"]["fields"])
    zh = tenants.a.client.post(
        url, {"quantity": 1}, content_type=JSON, headers={"Accept-Language": "zh-hans"}
    )
    assert zh.json()["error"]["fields"]["reason"] == ["该字段是必填项。"]


def test_adjust_by_codes_creates_the_row(tenants, inventory):
    response = tenants.a.client.post(
        "/api/v1/seller/stock/adjust/",
        {"sku_code": "HONEY-250", "warehouse_code": "A-OWN", "reason": "receipt", "quantity": 3},
        content_type=JSON,
    )
    assert response.status_code == 201
    assert Stock.objects.get(sku=inventory["sku"], warehouse=inventory["own"]).on_hand == 3


def test_adjust_by_codes_never_reaches_another_merchants_sku_or_warehouse(tenants, inventory):
    WarehouseFactory(code="b-own", kind="overseas", merchant=tenants.b.merchant)
    response = tenants.b.client.post(
        "/api/v1/seller/stock/adjust/",
        {"sku_code": "HONEY-250", "warehouse_code": "a-own", "reason": "receipt", "quantity": 3},
        content_type=JSON,
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields == {
        "sku_code": ["You have no SKU with this code."],
        "warehouse_code": ["Unknown warehouse."],
    }
    mine = SKUFactory(product__merchant=tenants.a.merchant, code="A-2")
    into_b = tenants.a.client.post(
        "/api/v1/seller/stock/adjust/",
        {"sku_code": mine.code, "warehouse_code": "b-own", "reason": "receipt", "quantity": 3},
        content_type=JSON,
    )
    assert into_b.json()["error"]["fields"] == {"warehouse_code": ["Unknown warehouse."]}
    assert StockAdjustment.objects.filter(reason="receipt").count() == 1


def test_low_stock_endpoint(tenants, inventory):
    body = tenants.a.client.get("/api/v1/seller/low-stock/").json()
    assert body["results"] == [
        {
            "sku": "HONEY-250",
            "product": inventory["sku"].product.name,
            "available": 3,
            "low_stock_threshold": 5,
        }
    ]
    assert tenants.b.client.get("/api/v1/seller/low-stock/").json()["results"] == []


def test_warehouses_list_create_and_edit(tenants, inventory):
    listed = tenants.a.client.get("/api/v1/seller/warehouses/").json()
    codes = {w["code"]: w["is_platform"] for w in listed["results"]}
    assert codes == {"auckland": True, "a-own": False}
    created = tenants.a.client.post(
        "/api/v1/seller/warehouses/",
        {"code": "osaka", "name_en": "Osaka", "kind": "overseas", "country": "JP"},
        content_type=JSON,
    )
    assert created.status_code == 201 and created.json()["is_platform"] is False
    bonded = tenants.a.client.post(
        "/api/v1/seller/warehouses/",
        {"code": "nb", "name_en": "NB", "kind": "bonded", "country": "CN"},
        content_type=JSON,
    )
    assert bonded.status_code == 400 and "kind" in bonded.json()["error"]["fields"]
    duplicate = tenants.a.client.post(
        "/api/v1/seller/warehouses/",
        {"code": "osaka", "name_en": "Osaka 2", "kind": "overseas", "country": "JP"},
        content_type=JSON,
    )
    assert "code" in duplicate.json()["error"]["fields"]
    osaka = Warehouse.objects.get(code="osaka")
    edited = tenants.a.client.patch(
        f"/api/v1/seller/warehouses/{osaka.pk}/", {"is_active": False}, content_type=JSON
    )
    assert edited.status_code == 200 and edited.json()["is_active"] is False
    recode = tenants.a.client.patch(
        f"/api/v1/seller/warehouses/{osaka.pk}/", {"code": "kyoto"}, content_type=JSON
    )
    assert recode.status_code == 400 and "code" in recode.json()["error"]["fields"]
    platform = tenants.a.client.patch(
        f"/api/v1/seller/warehouses/{inventory['platform'].pk}/",
        {"name_en": "Mine"},
        content_type=JSON,
    )
    assert platform.status_code == 404


def test_imports_small_file_succeeds_and_a_failed_one_reports_rows(tenants, inventory):
    ok = tenants.a.client.post(
        "/api/v1/seller/imports/",
        {
            "kind": "stock",
            "file": SimpleUploadedFile("s.csv", stock_csv([("HONEY-250", "a-own", "8")])),
        },
    )
    assert ok.status_code == 201 and ok.json()["status"] == "succeeded"
    assert ok.json()["summary"] == {"stock_changed": 1, "rows_unchanged": 0}
    bad = tenants.a.client.post(
        "/api/v1/seller/imports/",
        {"kind": "stock", "file": SimpleUploadedFile("s.csv", stock_csv([("NOPE", "a-own", "8")]))},
    )
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == "import_failed"
    assert error["rows"] == [
        {"line": 2, "column": "sku_code", "message": "Unknown SKU code “NOPE”."}
    ]
    job = tenants.a.client.get(f"/api/v1/seller/imports/{error['job']}/").json()
    assert job["status"] == "failed" and job["errors"] == error["rows"]
    listed = tenants.a.client.get("/api/v1/seller/imports/").json()
    assert listed["count"] == 2
    missing = tenants.a.client.post("/api/v1/seller/imports/", {"kind": "stock"})
    assert "file" in missing.json()["error"]["fields"]


def test_a_big_import_is_accepted_for_later(tenants, inventory, settings):
    settings.CATALOG_IMPORT_INLINE_MAX_ROWS = 0
    queued = tenants.a.client.post(
        "/api/v1/seller/imports/",
        {
            "kind": "stock",
            "file": SimpleUploadedFile("s.csv", stock_csv([("HONEY-250", "a-own", "8")])),
        },
    )
    assert queued.status_code == 202 and queued.json()["status"] == "queued"


def test_exports(tenants, inventory):
    response = tenants.a.client.get("/api/v1/seller/exports/stock/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == ["sku_code,warehouse_code,quantity", "HONEY-250,auckland,4"]
    assert tenants.a.client.get("/api/v1/seller/exports/orders/").status_code == 404


# --- who may do what -------------------------------------------------------------------------


def _reads(inventory, job_id):
    return [
        "/api/v1/seller/stock/",
        f"/api/v1/seller/stock/{inventory['row'].pk}/",
        f"/api/v1/seller/stock/{inventory['row'].pk}/adjustments/",
        "/api/v1/seller/low-stock/",
        "/api/v1/seller/warehouses/",
        f"/api/v1/seller/warehouses/{inventory['own'].pk}/",
        "/api/v1/seller/imports/",
        f"/api/v1/seller/imports/{job_id}/",
        "/api/v1/seller/exports/products/",
    ]


def _job(tenants):
    from catalog.services.imports import import_job_create

    return import_job_create(merchant=tenants.a.merchant, kind="stock", data=b"").pk


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.STAFF])
def test_every_role_reads_and_writes(client_for, tenants, inventory, role):
    client = client_for(MembershipFactory(merchant=tenants.a.merchant, role=role).user)
    for url in _reads(inventory, _job(tenants)):
        assert client.get(url).status_code == 200, url
    adjusted = client.post(
        f"/api/v1/seller/stock/{inventory['row'].pk}/adjustments/",
        {"reason": "receipt", "quantity": 1},
        content_type=JSON,
    )
    assert adjusted.status_code == 201


def test_anonymous_shoppers_and_operators_get_nothing(client, client_for, tenants, inventory):
    job_id = _job(tenants)
    shopper, operator = client_for(UserFactory()), client_for(OperatorFactory())
    for url in _reads(inventory, job_id):
        assert client.get(url).status_code in (401, 403), url
        assert shopper.get(url).status_code == 403, url
        assert operator.get(url).status_code == 403, url
    for who in (client, shopper, operator):
        who.post(
            f"/api/v1/seller/stock/{inventory['row'].pk}/adjustments/",
            {"reason": "receipt", "quantity": 5},
            content_type=JSON,
        )
    assert Stock.objects.get(pk=inventory["row"].pk).on_hand == 4


def test_writes_need_manage_catalog(client_for, tenants, inventory, monkeypatch):
    from merchants import roles

    member = MembershipFactory(merchant=tenants.a.merchant, role=Role.STAFF)
    monkeypatch.setitem(roles.CAPABILITIES, Role.STAFF, frozenset({roles.Capability.VIEW}))
    client = client_for(member.user)
    assert client.get("/api/v1/seller/stock/").status_code == 200
    writes = [
        (
            f"/api/v1/seller/stock/{inventory['row'].pk}/adjustments/",
            {"reason": "receipt", "quantity": 1},
        ),
        ("/api/v1/seller/stock/adjust/", {"sku_code": "HONEY-250", "warehouse_code": "auckland"}),
        ("/api/v1/seller/warehouses/", {"code": "x", "kind": "overseas", "country": "NZ"}),
        ("/api/v1/seller/imports/", {"kind": "stock"}),
    ]
    for url, data in writes:
        response = client.post(url, data, content_type=JSON)
        assert response.status_code == 403, url
        assert response.json()["error"]["message"] == "Your role may not do this."
    patch = client.patch(
        f"/api/v1/seller/warehouses/{inventory['own'].pk}/", {"name_en": "x"}, content_type=JSON
    )
    assert patch.status_code == 403


# --- tenancy --------------------------------------------------------------------------------------


def test_stock_row_api_is_404_for_another_merchant(tenants, inventory):
    assert_cross_tenant_404(
        f"/api/v1/seller/stock/{inventory['row'].pk}/",
        owner=tenants.a.client,
        intruder=tenants.b.client,
    )


def test_stock_adjustments_api_is_404_for_another_merchant(tenants, inventory):
    assert_cross_tenant_404(
        f"/api/v1/seller/stock/{inventory['row'].pk}/adjustments/",
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "post"),
        data={"reason": "receipt", "quantity": 50},
    )
    assert Stock.objects.get(pk=inventory["row"].pk).on_hand == 4


def test_own_warehouse_api_is_404_for_another_merchant(tenants, inventory):
    assert_cross_tenant_404(
        f"/api/v1/seller/warehouses/{inventory['own'].pk}/",
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "patch", "put"),
        data={"name_en": "Taken", "code": "a-own", "kind": "domestic", "country": "CN"},
    )
    inventory["own"].refresh_from_db()
    assert inventory["own"].name_en != "Taken"


def test_import_job_api_is_404_for_another_merchant(tenants, inventory):
    assert_cross_tenant_404(
        f"/api/v1/seller/imports/{_job(tenants)}/",
        owner=tenants.a.client,
        intruder=tenants.b.client,
    )


def test_lists_are_scoped(tenants, inventory):
    _job(tenants)
    assert tenants.b.client.get("/api/v1/seller/stock/").json()["count"] == 0
    assert tenants.b.client.get("/api/v1/seller/imports/").json()["count"] == 0
    codes = {
        w["code"] for w in tenants.b.client.get("/api/v1/seller/warehouses/").json()["results"]
    }
    assert codes == {"auckland"}
    export = b"".join(tenants.b.client.get("/api/v1/seller/exports/stock/").streaming_content)
    assert b"HONEY" not in export
    assert ImportJob.objects.count() == 1
