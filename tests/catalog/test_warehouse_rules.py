"""Warehouses: who may register which kind, and where a merchant may hold stock."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import Stock, StockAdjustment
from catalog.services.stock import stock_count_set, stock_receive, stock_write_off
from logistics.models import Warehouse
from logistics.selectors import warehouses_usable_by
from logistics.services import warehouse_create, warehouse_update
from tests.factories import MerchantFactory, SKUFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_a_merchant_holds_stock_in_platform_and_own_warehouses_only():
    sku = SKUFactory()
    merchant = sku.merchant
    platform = WarehouseFactory(kind="overseas", merchant=None)
    own = WarehouseFactory(kind="overseas", country="NZ", merchant=merchant)
    foreign = WarehouseFactory(kind="overseas", merchant=MerchantFactory())

    stock_receive(merchant=merchant, sku=sku, warehouse=platform, quantity=1)
    stock_receive(merchant=merchant, sku=sku, warehouse=own, quantity=1)
    with pytest.raises(ValidationError) as refused:
        stock_receive(merchant=merchant, sku=sku, warehouse=foreign, quantity=1)
    assert refused.value.message_dict == {"warehouse": ["Unknown warehouse."]}
    with pytest.raises(ValidationError):
        stock_count_set(merchant=merchant, sku=sku, warehouse=foreign, on_hand=3)
    assert not Stock.objects.filter(warehouse=foreign).exists()
    assert set(warehouses_usable_by(merchant)) == {platform, own}


def test_a_merchant_cannot_move_another_merchants_sku():
    sku = SKUFactory()
    with pytest.raises(ValidationError) as refused:
        stock_receive(merchant=MerchantFactory(), sku=sku, warehouse=WarehouseFactory(), quantity=1)
    assert "sku" in refused.value.message_dict


def test_bonded_warehouses_take_only_recorded_goods():
    bonded = WarehouseFactory(kind="bonded", customs_area_code="3105")
    unrecorded = SKUFactory()
    with pytest.raises(ValidationError, match="recorded customs product record"):
        stock_receive(merchant=unrecorded.merchant, sku=unrecorded, warehouse=bonded, quantity=1)
    recorded = SKUFactory(product_record_status="recorded", product_record_number="R-9")
    stock_receive(merchant=recorded.merchant, sku=recorded, warehouse=bonded, quantity=1)


def test_a_closed_warehouse_takes_no_goods_but_can_be_emptied():
    sku = SKUFactory()
    warehouse = WarehouseFactory(kind="overseas")
    stock_receive(merchant=sku.merchant, sku=sku, warehouse=warehouse, quantity=4)
    warehouse.is_active = False
    warehouse.save()
    with pytest.raises(ValidationError, match="closed"):
        stock_receive(merchant=sku.merchant, sku=sku, warehouse=warehouse, quantity=1)
    stock_write_off(merchant=sku.merchant, sku=sku, warehouse=warehouse, quantity=4)
    assert StockAdjustment.objects.filter(reason="damage").count() == 1


def test_merchants_register_overseas_and_domestic_but_not_bonded_warehouses():
    merchant = MerchantFactory()
    made = warehouse_create(
        merchant=merchant, code="Kiwi-Store", kind="overseas", country="nz", name_en="Store"
    )
    assert (made.code, made.country, made.merchant) == ("kiwi-store", "NZ", merchant)
    with pytest.raises(ValidationError) as refused:
        warehouse_create(
            merchant=merchant,
            code="my-bonded",
            kind="bonded",
            country="CN",
            customs_area_code="3105",
            name_en="Mine",
        )
    assert "operators" in refused.value.message_dict["kind"][0]
    with pytest.raises(ValidationError) as refused:
        warehouse_create(merchant=None, code="platform-x", kind="overseas", country="NZ")
    assert "merchant" in refused.value.message_dict


def test_operators_register_bonded_warehouses_with_a_customs_area_in_china():
    made = warehouse_create(
        code="nb",
        kind="bonded",
        country="CN",
        customs_area_code="3105",
        name_en="Ningbo",
        name_zh_hans="宁波",
        by_operator=True,
    )
    assert made.is_platform
    with pytest.raises(ValidationError) as refused:
        warehouse_create(code="nb2", kind="bonded", country="CN", name_en="X", by_operator=True)
    assert "customs area code" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        warehouse_create(
            code="nb3", kind="bonded", country="CN", customs_area_code="31-05", by_operator=True
        )
    assert "customs_area_code" in refused.value.message_dict
    # the database agrees, whatever writes to it
    with pytest.raises(IntegrityError), transaction.atomic():
        Warehouse.objects.create(code="raw", name="raw", kind="bonded", country="NZ")


def test_duplicate_codes_and_missing_names_are_refused():
    WarehouseFactory(code="taken")
    with pytest.raises(ValidationError) as refused:
        warehouse_create(
            merchant=MerchantFactory(), code="taken", kind="overseas", country="NZ", name_en="A"
        )
    assert "code" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        warehouse_create(merchant=MerchantFactory(), code="nameless", kind="overseas", country="NZ")
    assert "name_en" in refused.value.message_dict


def test_merchants_edit_their_own_warehouses_but_never_code_kind_or_platform_ones():
    merchant = MerchantFactory()
    own = warehouse_create(
        merchant=merchant, code="own", kind="overseas", country="NZ", name_en="Own"
    )
    warehouse_update(warehouse=own, name_zh_hans="自有仓", is_active=False)
    own.refresh_from_db()
    assert (own.name_zh_hans, own.is_active) == ("自有仓", False)
    with pytest.raises(ValidationError) as refused:
        warehouse_update(warehouse=own, kind="bonded", code="new")
    assert set(refused.value.message_dict) == {"kind", "code"}
    with pytest.raises(ValidationError, match="operators"):
        warehouse_update(warehouse=WarehouseFactory(), name_en="Mine now")
