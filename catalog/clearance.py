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

from django.db.models import Aggregate, CharField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat

from catalog.models import SKU, TRADE_MODE_FLAGS, Stock
from logistics.models import Warehouse
from marketplace.clearance import (
    BONDED_WAREHOUSE,
    CHINA,
    PURCHASING_AGENT,
    Clearance,
    ClearanceMode,
    clearance_for,
    shippable_modes,
)

# Where the storefront's shoppers receive their goods until checkout knows an address: the
# marketplace sells imports into China, so the badges and promises are China's.
STOREFRONT_DESTINATION = CHINA

_SEPARATOR = ":"
_LIST_SEPARATOR = ","  # neither a warehouse kind nor a country code holds one


class _JoinedText(Aggregate):
    """Text values of a group joined by ``_LIST_SEPARATOR``, on every database the project
    runs on: ``STRING_AGG`` on PostgreSQL, ``GROUP_CONCAT`` on the embedded SQLite (Django
    5.2 has no portable string aggregate; ``ArraySubquery`` is PostgreSQL's alone)."""

    function = "STRING_AGG"
    template = f"%(function)s(%(expressions)s, '{_LIST_SEPARATOR}')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


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


def stock_places() -> Subquery:
    """An annotation for a SKU queryset: ``"kind:country"`` of every active warehouse the SKU
    has a stock row in, joined into one text (a subquery of the SKU's own query: no query
    more). ``places_of`` reads it."""
    return Subquery(
        Stock.objects.filter(sku=OuterRef("pk"), warehouse__is_active=True)
        .order_by()
        .values("sku")
        .annotate(
            places=_JoinedText(Concat("warehouse__kind", Value(_SEPARATOR), "warehouse__country"))
        )
        .values("places")
    )


def places_of(annotated: str | None) -> list[tuple[str, str]]:
    """``(kind, country)`` pairs from a ``stock_places()`` value (in no particular order:
    the modes they allow are what counts)."""
    if not annotated:
        return []
    return [tuple(place.split(_SEPARATOR, 1)) for place in annotated.split(_LIST_SEPARATOR)]


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


def _stocked(*, bonded: bool, in_china: bool = True) -> Exists:
    """The SKU has a stock row in an active warehouse: in a bonded zone, or outside one in
    China (``in_china``) or abroad."""
    where = Q(warehouse__kind=BONDED_WAREHOUSE)
    if not bonded:
        where = ~where & (Q(warehouse__country=CHINA) if in_china else ~Q(warehouse__country=CHINA))
    return Exists(Stock.objects.filter(where, sku=OuterRef("pk"), warehouse__is_active=True))


def ships_under(mode: str) -> Q:
    """A filter on SKUs: those whose stock ships under ``mode`` to the storefront's
    destination (China). The table of ``clearance_for`` written as SQL, for listings that
    cannot call it per row; tests/catalog/test_storefront_clearance.py proves the two agree
    on every kind of warehouse, merchant and set of allowed modes."""
    mode = ClearanceMode(mode)
    if mode not in TRADE_MODE_FLAGS:  # export retail: not how goods reach a shopper in China
        return Q(pk__in=[])
    agent = Q(merchant__kind=PURCHASING_AGENT)
    flag = Q(**{TRADE_MODE_FLAGS[mode]: True})
    abroad = _stocked(bonded=False, in_china=False)
    if mode == ClearanceMode.BONDED:
        return flag & ~agent & _stocked(bonded=True)
    if mode == ClearanceMode.DIRECT:
        return flag & ~agent & abroad
    if mode == ClearanceMode.PERSONAL_PARCEL:
        return flag & abroad & (agent | Q(allow_direct=False))
    return flag & ~agent & _stocked(bonded=False, in_china=True)
