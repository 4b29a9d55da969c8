"""Warehouse reads for the seller portal, the seller API and the stock services."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from .models import Warehouse


def warehouses_usable_by(merchant, *, active_only: bool = False) -> QuerySet[Warehouse]:
    """Warehouses where ``merchant`` may hold stock: the platform's and its own."""
    rows = Warehouse.objects.usable_by(merchant).select_related("merchant")
    if active_only:
        rows = rows.filter(is_active=True)
    return rows.order_by("merchant_id", "kind", "code")


def warehouses_with_merchant_stock(merchant) -> QuerySet[Warehouse]:
    """Usable warehouses annotated with the merchant's own stock in each (rows and units)."""
    mine = Q(stock__merchant=merchant)
    return warehouses_usable_by(merchant).annotate(
        sku_count=Count("stock", filter=mine),
        units_on_hand=Coalesce(Sum("stock__on_hand", filter=mine), Value(0)),
    )


def warehouse_by_code(merchant, code: str) -> Warehouse | None:
    """The usable warehouse with ``code`` (case-insensitive), or ``None``."""
    return warehouses_usable_by(merchant).filter(code__iexact=(code or "").strip()).first()
