"""Demo warehouses and shipping (``DEMO_STEPS``, run by ``marketplace.demo.seed_demo``):
platform warehouses of every kind, one merchant-owned overseas warehouse, and the demo
merchants' free-shipping thresholds (``logistics/shipping/demo.py``). The stock in them is
catalog's part (``catalog/demo_stock.py``, which runs after this step).

Idempotent: warehouses are matched by code. The customs area codes are illustrative demo
values.
"""

from __future__ import annotations

from django.db import transaction

from logistics.models import Warehouse
from logistics.services import warehouse_create
from logistics.shipping.demo import seed_shipping_demo
from marketplace.demo import DemoStep
from merchants.models import Merchant

Kind = Warehouse.Kind
PLATFORM_WAREHOUSES = [
    # code, en, zh-hans, kind, country, customs area, address
    (
        "ningbo-bonded",
        "Ningbo Bonded Zone Warehouse",
        "宁波保税区仓",
        Kind.BONDED,
        "CN",
        "3105",
        "Ningbo Bonded Zone, Beilun, Zhejiang",
    ),
    (
        "hangzhou-bonded",
        "Hangzhou Xiasha Bonded Warehouse",
        "杭州下沙保税仓",
        Kind.BONDED,
        "CN",
        "2991",
        "Xiasha Comprehensive Bonded Zone, Hangzhou, Zhejiang",
    ),
    (
        "auckland",
        "Auckland Overseas Warehouse",
        "奥克兰海外仓",
        Kind.OVERSEAS,
        "NZ",
        "",
        "Airport Oaks, Auckland",
    ),
    ("tokyo", "Tokyo Overseas Warehouse", "东京海外仓", Kind.OVERSEAS, "JP", "", "Koto, Tokyo"),
    (
        "shanghai-domestic",
        "Shanghai Domestic Warehouse",
        "上海国内仓",
        Kind.DOMESTIC,
        "CN",
        "",
        "Qingpu, Shanghai",
    ),
]
MERCHANT_WAREHOUSES = [
    # merchant slug, code, en, zh-hans, kind, country, address
    (
        "kiwi-nature",
        "kiwi-christchurch",
        "Kiwi Nature Christchurch Store Room",
        "奇异自然基督城库房",
        Kind.OVERSEAS,
        "NZ",
        "Christchurch",
    ),
]


@transaction.atomic
def seed_logistics_demo(demo=None) -> dict[str, Warehouse]:
    """Create the demo warehouses (once); returns every warehouse by code."""
    for code, en, zh, kind, country, area, address in PLATFORM_WAREHOUSES:
        if not Warehouse.objects.filter(code=code).exists():
            warehouse_create(
                code=code,
                name_en=en,
                name_zh_hans=zh,
                kind=kind,
                country=country,
                customs_area_code=area,
                address=address,
                by_operator=True,
            )
    for slug, code, en, zh, kind, country, address in MERCHANT_WAREHOUSES:
        merchant = Merchant.objects.filter(slug=slug).first()
        if merchant and not Warehouse.objects.filter(code=code).exists():
            warehouse_create(
                merchant=merchant,
                code=code,
                name_en=en,
                name_zh_hans=zh,
                kind=kind,
                country=country,
                address=address,
            )
    return {w.code: w for w in Warehouse.objects.all()}


DEMO_STEPS = [
    DemoStep("logistics.warehouses", seed_logistics_demo, after=("merchants.stores",)),
    # the demo merchants' free-shipping thresholds
    DemoStep("logistics.shipping", lambda demo: seed_shipping_demo(), after=("merchants.stores",)),
]
