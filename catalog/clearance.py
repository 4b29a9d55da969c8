"""Where a SKU's stock lies, read as clearance modes: the catalog's side of
``marketplace.clearance`` (which takes plain values and knows no model).

``sku_clearance`` is what checkout calls for one SKU, warehouse and destination. The
storefront promises only the modes a SKU's stock can ship under (``shippable``): a SKU allowed
bonded import whose stock is only in Tokyo does not ship as bonded goods. A SKU's *places*
are the ``(kind, country)`` of the active warehouses it has a stock row in, whatever the
row's count at the moment: a sold-out row still says where the goods will come from, and
availability is the live stock's to tell.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Value
from django.db.models.functions import Concat

from catalog.models import SKU, Stock
from logistics.models import Warehouse
from marketplace.clearance import CHINA, Clearance, clearance_for, shippable_modes

# Where the storefront's shoppers receive their goods until checkout knows an address: the
# marketplace sells imports into China, so the badges and promises are China's.
STOREFRONT_DESTINATION = CHINA

_SEPARATOR = ":"


def sku_clearance(*, sku: SKU, warehouse: Warehouse, destination: str) -> Clearance:
    """The clearance mode of ``sku`` shipped from ``warehouse`` to ``destination`` (or the
    refusal), by the table of ``marketplace.clearance.clearance_for``."""
    return clearance_for(
        warehouse_kind=warehouse.kind,
        warehouse_country=warehouse.country,
        destination=destination,
        sku_modes=sku.trade_modes,
        merchant_kind=sku.merchant.kind,
    )


def stock_places() -> ArraySubquery:
    """An annotation for a SKU queryset: ``"kind:country"`` of every active warehouse the SKU
    has a stock row in (a subquery of the SKU's own query: no query more)."""
    return ArraySubquery(
        Stock.objects.filter(sku=OuterRef("pk"), warehouse__is_active=True)
        .order_by("warehouse_id")
        .values(place=Concat("warehouse__kind", Value(_SEPARATOR), "warehouse__country"))
    )


def places_of(annotated: Iterable[str] | None) -> list[tuple[str, str]]:
    """``(kind, country)`` pairs from a ``stock_places()`` value."""
    return [tuple(place.split(_SEPARATOR, 1)) for place in annotated or ()]


def shippable(
    *, sku_modes: Iterable[str], merchant_kind: str, places: Iterable[tuple[str, str]]
) -> list[str]:
    """The modes a SKU stocked in ``places`` ships under to the storefront's destination."""
    return [
        str(mode)
        for mode in shippable_modes(
            places=places,
            destination=STOREFRONT_DESTINATION,
            sku_modes=sku_modes,
            merchant_kind=merchant_kind,
        )
    ]
