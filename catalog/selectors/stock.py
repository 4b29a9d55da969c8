"""Inventory reads for the seller portal, the seller API and the back office.

Every list is one query whatever its length: related rows come with ``select_related`` and
the per-SKU totals are subqueries, not a query per row.
"""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from catalog.models import SKU, ImportJob, Product, Stock, StockAdjustment

AVAILABLE = ExpressionWrapper(F("on_hand") - F("reserved"), output_field=IntegerField())


def _sku_available_subquery(sku_ref: str = "pk"):
    """Units available for a SKU across all its warehouses (0 when it has no stock rows)."""
    per_sku = (
        Stock.objects.filter(sku=OuterRef(sku_ref))
        .order_by()
        .values("sku")
        .annotate(total=Sum(F("on_hand") - F("reserved")))
        .values("total")
    )
    return Coalesce(Subquery(per_sku, output_field=IntegerField()), Value(0))


def stock_rows(
    *,
    merchant,
    warehouse: int | str | None = None,
    search: str = "",
    kind: str = "",
    low_only: bool = False,
) -> QuerySet[Stock]:
    """The merchant's stock rows (one per SKU per warehouse) with ``available``, the SKU's
    total ``sku_available`` across warehouses and ``is_low`` (that total ≤ its threshold).

    Filters: a warehouse id, a search over SKU code and product name (both languages), the
    warehouse kind, and low-stock rows only.
    """
    rows = (
        Stock.objects.for_merchant(merchant)
        .select_related("sku", "sku__product", "warehouse")
        .annotate(available_qty=AVAILABLE, sku_available=_sku_available_subquery("sku_id"))
        .annotate(
            is_low=Case(
                When(sku_available__lte=F("sku__low_stock_threshold"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("sku__code", "warehouse__code")
    )
    if warehouse:
        rows = rows.filter(warehouse_id=warehouse)
    if kind:
        rows = rows.filter(warehouse__kind=kind)
    if search := (search or "").strip():
        rows = rows.filter(
            Q(sku__code__icontains=search)
            | Q(sku__product__name_en__icontains=search)
            | Q(sku__product__name_zh_hans__icontains=search)
        )
    if low_only:
        rows = rows.filter(is_low=True)
    return rows


def stock_row_for_merchant(merchant) -> QuerySet[Stock]:
    """Base queryset for one stock row's page: scoped, with what the header shows."""
    return Stock.objects.for_merchant(merchant).select_related("sku", "sku__product", "warehouse")


def stock_adjustments(*, stock: Stock) -> QuerySet[StockAdjustment]:
    """The ledger of one stock row, newest first, with who made each change."""
    return StockAdjustment.objects.filter(stock=stock).select_related("actor")


def stock_adjustments_for_merchant(merchant) -> QuerySet[StockAdjustment]:
    """Every ledger line of the merchant (API history across rows), newest first."""
    return StockAdjustment.objects.for_merchant(merchant).select_related(
        "actor", "stock__sku", "stock__warehouse"
    )


def low_stock_skus(*, merchant) -> QuerySet[SKU]:
    """SKUs on sale whose units available across all warehouses are at or below their
    low-stock threshold (out-of-stock SKUs included), fewest first.

    "On sale": active SKUs of approved products — drafts and delisted goods cannot sell out.
    """
    return (
        SKU.objects.for_merchant(merchant)
        .filter(is_active=True, product__status=Product.Status.APPROVED)
        .select_related("product")
        .annotate(total_available=_sku_available_subquery("pk"))
        .filter(total_available__lte=F("low_stock_threshold"))
        .order_by("total_available", "code")
    )


def import_jobs_for_merchant(merchant) -> QuerySet[ImportJob]:
    """The merchant's CSV uploads, newest first, without the (large) file text."""
    return ImportJob.objects.for_merchant(merchant).select_related("created_by").defer("content")
