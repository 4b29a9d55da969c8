"""Demo warehouses and stock: platform warehouses of every kind, one merchant-owned overseas
warehouse, and stock for every approved product's SKUs — received through the stock
services, so the ledger shows where each unit came from.

Idempotent: warehouses are matched by code, and SKUs that already have stock are left alone.
The customs area codes are illustrative demo values.
"""

from __future__ import annotations

from django.db import transaction

from catalog.models import SKU, Product, ProductRecordStatus, Stock
from catalog.services.stock import StockLine, stock_receive, stock_reserve, stock_ship
from logistics.models import Warehouse
from logistics.services import warehouse_create
from logistics.shipping.demo import seed_shipping_demo
from merchants.models import Merchant

K = Warehouse.Kind
PLATFORM_WAREHOUSES = [
    # code, en, zh-hans, kind, country, customs area, address
    (
        "ningbo-bonded",
        "Ningbo Bonded Zone Warehouse",
        "宁波保税区仓",
        K.BONDED,
        "CN",
        "3105",
        "Ningbo Bonded Zone, Beilun, Zhejiang",
    ),
    (
        "hangzhou-bonded",
        "Hangzhou Xiasha Bonded Warehouse",
        "杭州下沙保税仓",
        K.BONDED,
        "CN",
        "2991",
        "Xiasha Comprehensive Bonded Zone, Hangzhou, Zhejiang",
    ),
    (
        "auckland",
        "Auckland Overseas Warehouse",
        "奥克兰海外仓",
        K.OVERSEAS,
        "NZ",
        "",
        "Airport Oaks, Auckland",
    ),
    ("tokyo", "Tokyo Overseas Warehouse", "东京海外仓", K.OVERSEAS, "JP", "", "Koto, Tokyo"),
    (
        "shanghai-domestic",
        "Shanghai Domestic Warehouse",
        "上海国内仓",
        K.DOMESTIC,
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
        K.OVERSEAS,
        "NZ",
        "Christchurch",
    ),
]


def _warehouses() -> dict[str, Warehouse]:
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


def _home(sku: SKU, places: dict[str, Warehouse]) -> Warehouse:
    """Bonded when the SKU may enter a bonded zone (recorded product record), else the
    overseas warehouse nearest its origin."""
    if sku.product_record_status == ProductRecordStatus.RECORDED:
        return places["ningbo-bonded" if sku.pk % 2 else "hangzhou-bonded"]
    return places["tokyo" if sku.origin_country in ("JP", "KR") else "auckland"]


@transaction.atomic
def seed_logistics_demo() -> None:
    """Create the demo warehouses and stock the approved products' SKUs (once), and give
    the demo merchants their free-shipping thresholds."""
    places = _warehouses()
    seed_shipping_demo()
    stocked = Stock.objects.values("sku_id")
    skus = (
        SKU.objects.filter(product__status=Product.Status.APPROVED, is_active=True)
        .exclude(pk__in=stocked)
        .select_related("merchant")
        .order_by("pk")
    )
    for index, sku in enumerate(skus):
        warehouse = _home(sku, places)
        note = ""
        if index % 11 == 5:
            # Sold out: received, then every unit reserved and shipped.
            receipt = stock_receive(
                merchant=sku.merchant, sku=sku, warehouse=warehouse, quantity=12, note=note
            )
            lines = [StockLine(receipt.stock_id, 12)]
            stock_reserve(lines=lines, note=note)
            stock_ship(lines=lines, note=note)
        elif index % 7 == 3:
            # Running low: at or under the SKU's threshold.
            stock_receive(
                merchant=sku.merchant,
                sku=sku,
                warehouse=warehouse,
                quantity=max(1, sku.low_stock_threshold - 2),
                note=note,
            )
        else:
            stock_receive(
                merchant=sku.merchant,
                sku=sku,
                warehouse=warehouse,
                quantity=20 + (sku.pk * 37) % 180,
                note=note,
            )
        if sku.merchant.slug == "kiwi-nature" and index % 3 == 0 and "kiwi-christchurch" in places:
            stock_receive(
                merchant=sku.merchant,
                sku=sku,
                warehouse=places["kiwi-christchurch"],
                quantity=10 + index % 15,
                note=note,
            )
