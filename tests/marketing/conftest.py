"""A flash sale to race for: one merchant's honey (bonded stock in China), on now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import SKU
from logistics.models import Warehouse
from marketing.flash.services import flash_sale_schedule
from marketing.models import FlashSale, FlashSaleItem
from merchants.models import Membership
from tests.factories import (
    MembershipFactory,
    ProductFactory,
    SKUFactory,
    StockFactory,
    UserFactory,
    WarehouseFactory,
)


@dataclass
class Scene:
    membership: Membership
    honey: SKU
    sale: FlashSale
    item: FlashSaleItem


def make_scene(*, units: int = 5, limit: int = 2, stock: int = 50, starts_in=None) -> Scene:
    membership = MembershipFactory()
    merchant = membership.merchant
    honey = SKUFactory(
        product=ProductFactory(
            merchant=merchant, name_en="Manuka Honey", name_zh_hans="麦卢卡蜂蜜"
        ),
        price=Decimal("199.00"),
    )
    StockFactory(sku=honey, warehouse=WarehouseFactory(kind=Warehouse.Kind.BONDED), on_hand=stock)
    now = timezone.now()
    start = now + starts_in if starts_in is not None else now - timedelta(minutes=1)
    sale = flash_sale_schedule(
        merchant=merchant,
        by=membership.user,
        title="Double 11 honey",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        per_shopper_limit=limit,
        items=[{"sku": honey, "flash_price": Decimal("99.00"), "quantity": units}],
    )
    return Scene(membership=membership, honey=honey, sale=sale, item=sale.items.get())


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Shoppers by the dozen: a fast hasher (the real one is the accounts tests' business)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def scene(db) -> Scene:
    return make_scene()


@pytest.fixture
def shoppers(db):
    return [UserFactory() for _ in range(4)]


@pytest.fixture
def world(db):
    """The orders tests' small marketplace (honey in a bonded warehouse, balm abroad…)."""
    from tests.orders.conftest import make_world

    return make_world()


def spend_and_save_299_30():
    """The platform's automatic 满299减30, valid now."""
    from marketing.coupons.services import coupon_create
    from tests.factories import OperatorFactory

    now = timezone.now()
    return coupon_create(
        merchant=None,
        by=OperatorFactory(),
        title="满299减30",
        automatic=True,
        kind="tiers",
        tiers=[["299", "30"]],
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )


from tests.orders.conftest import deliver, pay  # noqa: E402, F401 - the orders tests' fixtures
