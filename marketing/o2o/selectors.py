"""O2O reads: a merchant's stores with their report (scans, orders, paid for goods)."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum

from merchants.roles import Capability

from .models import OfflineStore, StoreOrder


def merchant_stores(merchant):
    """The merchant's stores, each annotated with ``scan_count``, ``order_count`` and
    ``paid_total`` (checkout currency, CNY for orders to China) — one query."""
    orders = StoreOrder.objects.filter(store=OuterRef("pk")).values("store")
    return (
        OfflineStore.objects.for_merchant(merchant)
        .annotate(
            scan_count=Count("scans"),
            order_count=Subquery(
                orders.annotate(n=Count("id")).values("n"), output_field=IntegerField()
            ),
            paid_total=Subquery(orders.annotate(s=Sum("paid")).values("s")),
        )
        .order_by("name", "id")
    )


def member_stores(membership):
    """The stores ``membership`` may open, with their figures (``merchant_stores``): every
    store of the merchant for a member who sees its data (``view``), only the stores they are
    assigned to for store staff, none for anyone else — one query."""
    stores = merchant_stores(membership.merchant)
    if membership.can(Capability.VIEW):
        return stores
    if membership.can(Capability.VIEW_STORES):
        return stores.filter(staff=membership)
    return stores.none()


def store_orders(store, *, limit: int = 50):
    """The orders a store brought, newest first (what its page lists; one query)."""
    return list(StoreOrder.objects.filter(store=store).order_by("-created_at", "-id")[:limit])
