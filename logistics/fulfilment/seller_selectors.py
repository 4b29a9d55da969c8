"""Fulfilment reads for the seller portal and seller API: the pick list, the merchant's
shipments with their parcels, and the merchant's exceptions. Every read is scoped to one
merchant; another merchant's row is ``DoesNotExist`` (a 404 at the door)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from orders.flow import ORDER_FLOW, pack_refusal
from orders.models import Order, OrderLine

from .models import Parcel, ParcelException, ParcelLine, Shipment, TrackingEvent

PACK_SOURCES = sorted(ORDER_FLOW.transitions["pack"].sources)


@dataclass
class PickItem:
    sku_code: str
    name: str
    quantity: int


@dataclass
class WarehousePick:
    """What to take off the shelves of one warehouse: per SKU, and the orders it is for."""

    warehouse: object
    orders: list[Order] = field(default_factory=list)
    items: list[PickItem] = field(default_factory=list)


def packable_orders(merchant) -> list[Order]:
    """The merchant's paid orders that may be packed now (``ORDER_FLOW`` "pack" and
    ``orders.flow.pack_refusal``, the one rule), oldest first. Three queries."""
    queryset = (
        Order.objects.filter(merchant=merchant, status__in=PACK_SOURCES)
        .exclude(paid_at__isnull=True)
        .select_related("warehouse", "shipping_method__carrier")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))
        .order_by("paid_at", "pk")
    )
    return [order for order in queryset if pack_refusal(order) is None]


def pick_list(merchant) -> list[WarehousePick]:
    """The merchant's packable orders grouped by the warehouse they ship from, with the
    units to pick per SKU (units refunded already are not picked)."""
    picks: dict[int, WarehousePick] = {}
    units: dict[int, dict[str, PickItem]] = defaultdict(dict)
    for order in packable_orders(merchant):
        pick = picks.setdefault(order.warehouse_id, WarehousePick(warehouse=order.warehouse))
        pick.orders.append(order)
        for line in order.lines.all():
            left = line.quantity - line.refunded_quantity
            if left <= 0:
                continue
            item = units[order.warehouse_id].setdefault(
                line.sku_code, PickItem(line.sku_code, line.name, 0)
            )
            item.quantity += left
    for warehouse_id, pick in picks.items():
        pick.items = sorted(units[warehouse_id].values(), key=lambda i: i.sku_code)
    return sorted(picks.values(), key=lambda p: p.warehouse.code)


def _parcels() -> Prefetch:
    return Prefetch(
        "parcels",
        queryset=Parcel.objects.select_related("carrier", "replaced_by")
        .prefetch_related(
            Prefetch("lines", queryset=ParcelLine.objects.select_related("line").order_by("pk")),
            Prefetch(
                "events",
                queryset=TrackingEvent.objects.exclude(status="").order_by("-occurred_at", "-id"),
            ),
        )
        .order_by("pk"),
    )


def shipments_for_merchant(merchant) -> QuerySet[Shipment]:
    """The merchant's shipments, newest first, with order, warehouse and parcels."""
    return (
        Shipment.objects.for_merchant(merchant)
        .select_related("order", "warehouse")
        .prefetch_related(_parcels())
    )


def shipment_for_merchant(merchant, pk: int) -> Shipment:
    """One of the merchant's shipments (``Shipment.DoesNotExist`` for another's)."""
    return shipments_for_merchant(merchant).get(pk=pk)


def exceptions_for_merchant(merchant, *, open_only: bool = False) -> QuerySet[ParcelException]:
    """The merchant's parcel exceptions, newest first, with what was done about them."""
    queryset = ParcelException.objects.for_merchant(merchant)
    if open_only:
        queryset = queryset.filter(status=ParcelException.Status.OPEN)
    return queryset.select_related("parcel__carrier", "order", "replacement").prefetch_related(
        "events"
    )
