"""Back office: operators manage warehouses and read stock, its ledger and import jobs."""

import pytest

from catalog.models import ImportJob
from catalog.services.imports import import_job_create
from catalog.services.stock import stock_receive
from logistics.models import Warehouse
from tests.factories import MembershipFactory, SKUFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(client_for, operator):
    return client_for(operator)


def test_an_operator_registers_a_bonded_platform_warehouse(ops):
    response = ops.post(
        "/en/ops/logistics/warehouse/add/",
        {
            "code": "qingdao-bonded",
            "name_en": "Qingdao Bonded",
            "name_zh_hans": "青岛保税仓",
            "kind": "bonded",
            "country": "CN",
            "customs_area_code": "4200",
            "address": "Qingdao",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    made = Warehouse.objects.get(code="qingdao-bonded")
    assert made.is_platform and made.name_zh_hans == "青岛保税仓"


def test_the_admin_refuses_a_bonded_warehouse_without_customs_area(ops):
    response = ops.post(
        "/en/ops/logistics/warehouse/add/",
        {"code": "bad", "name_en": "Bad", "kind": "bonded", "country": "CN", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "customs area code" in response.content.decode()
    assert not Warehouse.objects.filter(code="bad").exists()


def test_an_operator_edits_a_warehouse_but_not_its_code(ops):
    warehouse = WarehouseFactory(code="ningbo", kind="bonded")
    url = f"/en/ops/logistics/warehouse/{warehouse.pk}/change/"
    page = ops.get(url).content.decode()
    assert 'name="code"' not in page  # shown read-only
    response = ops.post(
        url,
        {
            "name_en": "Ningbo Meishan",
            "name_zh_hans": "宁波梅山",
            "kind": "bonded",
            "country": "CN",
            "customs_area_code": "3106",
            "address": "",
        },
    )
    assert response.status_code == 302
    warehouse.refresh_from_db()
    assert (warehouse.name_en, warehouse.customs_area_code, warehouse.is_active) == (
        "Ningbo Meishan",
        "3106",
        False,
    )
    assert warehouse.code == "ningbo"


def test_operators_read_stock_with_its_ledger_and_import_jobs(ops):
    sku = SKUFactory(code="HONEY-1")
    warehouse = WarehouseFactory(kind="overseas", code="akl")
    row = stock_receive(merchant=sku.merchant, sku=sku, warehouse=warehouse, quantity=9).stock
    import_job_create(merchant=sku.merchant, kind="stock", data=b"sku_code\n", filename="x.csv")

    listing = ops.get("/en/ops/catalog/stock/").content.decode()
    assert "HONEY-1" in listing
    detail = ops.get(f"/en/ops/catalog/stock/{row.pk}/change/").content.decode()
    assert "Goods received" in detail and 'name="on_hand"' not in detail  # read-only
    assert ops.get("/en/ops/catalog/stock/add/").status_code == 403
    assert "Goods received" in ops.get("/en/ops/catalog/stockadjustment/").content.decode()
    warehouses = ops.get("/en/ops/logistics/warehouse/").content.decode()
    assert "akl" in warehouses
    job = ImportJob.objects.get()
    report = ops.get(f"/en/ops/catalog/importjob/{job.pk}/change/").content.decode()
    assert "warehouse_code" in report and "This column is missing." in report


def test_merchant_staff_are_not_operators(client_for):
    member = MembershipFactory()
    response = client_for(member.user).get("/en/ops/logistics/warehouse/")
    assert response.status_code == 302 and "/login/" in response.url
