"""Demo stock: every approved product's SKUs stocked in the demo warehouses (logistics' demo
step makes them), received through the stock services so the ledger shows where each unit
came from; a few run low and a few are sold out. Part of catalog's ``DEMO_STEPS``.

Idempotent: SKUs that already have stock are left alone.
"""

from __future__ import annotations

from django.db import transaction

from catalog.models import SKU, Product, ProductRecordStatus, Stock
from catalog.services.stock import StockLine, stock_receive, stock_reserve, stock_ship
from logistics.models import Warehouse


def _home(sku: SKU, places: dict[str, Warehouse]) -> Warehouse:
    """Bonded when the SKU may enter a bonded zone (recorded product record), else the
    overseas warehouse nearest its origin."""
    if sku.product_record_status == ProductRecordStatus.RECORDED:
        return places["ningbo-bonded" if sku.pk % 2 else "hangzhou-bonded"]
    return places["tokyo" if sku.origin_country in ("JP", "KR") else "auckland"]


@transaction.atomic
def seed_stock_demo(demo=None) -> None:
    """Stock the approved products' SKUs in the demo warehouses (once: SKUs that have stock
    already are left alone)."""
    places = {w.code: w for w in Warehouse.objects.all()}
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
