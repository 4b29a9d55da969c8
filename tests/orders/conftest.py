"""A small marketplace for cart tests: two merchants, bonded stock in China, stock abroad."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from catalog.models import SKU, Stock, WholesaleTier
from logistics.models import Warehouse
from merchants.models import Merchant
from tests.factories import (
    MerchantFactory,
    ProductFactory,
    SKUFactory,
    StockFactory,
    WarehouseFactory,
)


@dataclass
class World:
    kiwi: Merchant  # third party, New Zealand
    tokyo: Merchant  # third party, Japan
    bonded: Warehouse  # bonded, China
    auckland: Warehouse  # overseas, New Zealand
    honey: SKU  # kiwi's, bonded-allowed, stock in the bonded warehouse (10)
    balm: SKU  # kiwi's, direct mail only, stock in Auckland (6)
    serum: SKU  # tokyo's, direct mail, stock in Auckland (4), wholesale tiers, MOQ 2
    stock: dict[str, Stock]


def make_world() -> World:
    kiwi = MerchantFactory(name_en="Kiwi Nature", name_zh_hans="奇异自然", country="NZ")
    tokyo = MerchantFactory(name_en="Tokyo Beauty", name_zh_hans="东京美妆", country="JP")
    bonded = WarehouseFactory(kind=Warehouse.Kind.BONDED, country="CN")
    auckland = WarehouseFactory(kind=Warehouse.Kind.OVERSEAS, country="NZ")
    honey = SKUFactory(
        product=ProductFactory(merchant=kiwi, name_en="Manuka Honey", name_zh_hans="麦卢卡蜂蜜"),
        price=Decimal("199.00"),
        allow_bonded=True,
        allow_direct=True,
        product_record_status="recorded",
        product_record_number="HZ2026-0001",
    )
    balm = SKUFactory(
        product=ProductFactory(merchant=kiwi, name_en="Lip Balm", name_zh_hans="润唇膏"),
        price=Decimal("39.00"),
        hs_code="3304990099",
        gross_weight_kg=Decimal("0.050"),
        net_weight_kg=Decimal("0.030"),
    )
    serum = SKUFactory(
        product=ProductFactory(merchant=tokyo, name_en="Face Serum", name_zh_hans="精华液"),
        price=Decimal("120.00"),
        min_order_quantity=2,
        hs_code="3304990099",
    )
    WholesaleTier.objects.create(
        merchant=tokyo, sku=serum, min_quantity=3, unit_price=Decimal("100.00")
    )
    stock = {
        "honey": StockFactory(sku=honey, warehouse=bonded, on_hand=10),
        "balm": StockFactory(sku=balm, warehouse=auckland, on_hand=6),
        "serum": StockFactory(sku=serum, warehouse=auckland, on_hand=4),
    }
    return World(kiwi, tokyo, bonded, auckland, honey, balm, serum, stock)


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture(autouse=True)
def _celery_join_flag():
    """Eager tasks run from several threads at once (the concurrency tests: each placing
    enqueues its duty estimate, each refund its outbox delivery) can leave Celery's
    process-global "inside a task" flag set: ``Task.apply`` saves and restores it per call,
    not per thread. Put it back, or a later test's real worker refuses ``result.get()``."""
    from celery._state import _set_task_join_will_block, task_join_will_block

    before = task_join_will_block()
    yield
    _set_task_join_will_block(before)
