"""Flash-sale reads: the storefront's sales with their live counters, a merchant's sales,
and a shopper's admissions (docs/MARKETING.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from django.core.cache import cache
from django.db import connection
from django.db.models import Min, Prefetch, QuerySet, Sum
from django.utils import timezone

from ..models import FlashAdmission, FlashSale, FlashSaleItem
from . import gate


def storefront_flash_sales(*, now=None, ahead=timedelta(days=2)) -> list[FlashSale]:
    """Sales on now or starting within ``ahead``, soonest first, with their items' SKUs and
    products (two queries beyond the sale list's). Counters are not read here: the page
    asks the gate (``flash_counters``), so it may be cached."""
    now = now or timezone.now()
    items = FlashSaleItem.objects.select_related("sku__product").order_by("id")
    return list(
        FlashSale.objects.filter(
            status=FlashSale.Status.SCHEDULED, ends_at__gt=now, starts_at__lte=now + ahead
        )
        .select_related("merchant")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("starts_at", "id")
    )


def flash_sale_states(sales, *, now=None, left=None) -> dict[int, str]:
    """Per sale: ``upcoming``, ``live``, ``sold_out`` (live, and the gate has no unit of any
    item left), ``ended`` or ``cancelled``. One Redis read for the live sales' items (or
    ``left``, when the caller has read them); a gate that cannot tell counts as not sold out."""
    now = now or timezone.now()
    phases = {sale.pk: sale.phase(now) for sale in sales}
    live_items = [i.pk for sale in sales if phases[sale.pk] == "live" for i in sale.items.all()]
    if left is None:
        left = gate.gate_left(live_items)
    for sale in sales:
        items = list(sale.items.all())
        if phases[sale.pk] == "live" and items and all(left.get(i.pk) == 0 for i in items):
            phases[sale.pk] = "sold_out"
    return phases


def flash_counters(item_ids) -> dict[int, int | None]:
    """Units left per item, from the gate (``None``: the gate cannot tell now)."""
    return gate.gate_left(item_ids)


def merchant_flash_sales(merchant) -> QuerySet[FlashSale]:
    """The merchant's sales, newest first, with their items."""
    items = FlashSaleItem.objects.select_related("sku__product").order_by("id")
    return (
        FlashSale.objects.for_merchant(merchant)
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("-starts_at", "-id")
    )


def shopper_admissions(user, *, now=None) -> QuerySet[FlashAdmission]:
    """The shopper's admissions still waiting for a checkout."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return FlashAdmission.objects.none()
    return (
        FlashAdmission.objects.filter(
            user=user, status=FlashAdmission.Status.ADMITTED, expires_at__gt=now
        )
        .select_related("item__sku__product", "item__sale")
        .order_by("expires_at")
    )


def shopper_holds(user_id: int, item_ids, *, now=None) -> dict[int, tuple[int, datetime]]:
    """Per item of ``item_ids``: the units ``user_id``'s admissions still waiting for a
    checkout hold, and when the first of them runs out (one query)."""
    now = now or timezone.now()
    rows = (
        FlashAdmission.objects.filter(
            user_id=user_id,
            item_id__in=list(item_ids),
            status=FlashAdmission.Status.ADMITTED,
            expires_at__gt=now,
        )
        .values("item_id")
        .annotate(n=Sum("quantity"), until=Min("expires_at"))
        .values_list("item_id", "n", "until")
    )
    return {item_id: (n, until) for item_id, n, until in rows}


# ---------------------------------------------------------------------------- admission terms


@dataclass(frozen=True)
class FlashTerms:
    """What an admission needs of a sale item (``flash_admit``) and where its answer goes
    (the product page). Frozen once the sale has started: ``flash_sale_edit`` refuses any
    change from the start on, so a live sale's terms can be kept per process."""

    item_id: int
    sale_id: int
    per_shopper_limit: int
    starts_at: datetime
    ends_at: datetime
    product_id: int | None = None
    product_slug: str = ""
    sku_id: int | None = None  # what "Buy now" puts in the cart

    @classmethod
    def of(cls, item: FlashSaleItem) -> FlashTerms:
        sale = item.sale
        return cls(
            item.pk,
            sale.pk,
            sale.per_shopper_limit,
            sale.starts_at,
            sale.ends_at,
            sku_id=item.sku_id,
        )

    def is_live(self, now) -> bool:
        return self.starts_at <= now < self.ends_at


# Per process: item id -> the terms of its live sale. Only a sale that has started is kept
# (its terms cannot change any more) and only until it ends; a cancellation is seen by the
# admission itself (``flash_terms_hold``, in PostgreSQL), which then forgets the entry.
_TERMS: dict[int, FlashTerms] = {}
_TERMS_MAX = 512


def flash_item_terms(item_id: int, *, now=None) -> FlashTerms | None:
    """The terms of ``item_id`` if its sale is scheduled (None: no such item, or its sale
    was cancelled). A live sale's are read once per process (no query after the first);
    an upcoming sale's are read each time (they may still change)."""
    now = now or timezone.now()
    terms = _TERMS.get(item_id)
    if terms is not None and terms.is_live(now):
        return terms
    rows = list(
        FlashSaleItem.objects.filter(
            pk=item_id, sale__status=FlashSale.Status.SCHEDULED
        ).values_list(
            "pk",
            "sale_id",
            "sale__per_shopper_limit",
            "sale__starts_at",
            "sale__ends_at",
            "sku__product_id",
            "sku__product__slug",
            "sku_id",
        )[:1]
    )
    if not rows:
        _TERMS.pop(item_id, None)
        return None
    terms = FlashTerms(*rows[0])
    if terms.is_live(now):
        if len(_TERMS) >= _TERMS_MAX:
            _TERMS.clear()  # many sales ended since: start again
        _TERMS[item_id] = terms
    else:
        _TERMS.pop(item_id, None)
    return terms


def flash_terms_hold(terms: FlashTerms, now) -> bool:
    """PostgreSQL says ``terms`` still hold at ``now``: the item is in that sale, the sale
    is scheduled (not cancelled), live, with that per-shopper cap (one query, the truth an
    admission is made against). Written out once: compiling the ORM's two-table filter
    was the largest part of an admission's CPU (docs/PERFORMANCE.md)."""
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            _terms_hold_sql(),
            [
                terms.item_id,
                terms.sale_id,
                FlashSale.Status.SCHEDULED,
                ops.adapt_datetimefield_value(now),
                ops.adapt_datetimefield_value(now),
                terms.per_shopper_limit,
            ],
        )
        return cursor.fetchone() is not None


@lru_cache(maxsize=1)
def _terms_hold_sql() -> str:
    q = connection.ops.quote_name
    item, sale = FlashSaleItem._meta.db_table, FlashSale._meta.db_table
    return (
        f"SELECT 1 FROM {q(item)} i JOIN {q(sale)} s ON s.{q('id')} = i.{q('sale_id')}"  # noqa: S608 - names from the models
        f" WHERE i.{q('id')} = %s AND s.{q('id')} = %s AND s.{q('status')} = %s"
        f" AND s.{q('starts_at')} <= %s AND s.{q('ends_at')} > %s"
        f" AND s.{q('per_shopper_limit')} = %s"
    )


def flash_terms_forget(item_ids=None) -> None:
    """Forget the kept terms of ``item_ids`` (every item: None) in this process."""
    if item_ids is None:
        _TERMS.clear()
        return
    for item_id in item_ids:
        _TERMS.pop(item_id, None)


def flash_held_units(item_id: int) -> int:
    """Units admitted or used, as PostgreSQL says (the truth the gate is rebuilt from)."""
    return (
        FlashAdmission.objects.filter(item_id=item_id, status__in=FlashAdmission.HOLDING).aggregate(
            n=Sum("quantity")
        )["n"]
        or 0
    )


def flash_held_units_by_item(item_ids) -> dict[int, int]:
    """``flash_held_units`` for several items in one query."""
    return dict(
        FlashAdmission.objects.filter(item_id__in=list(item_ids), status__in=FlashAdmission.HOLDING)
        .values("item_id")
        .annotate(n=Sum("quantity"))
        .values_list("item_id", "n")
    )


# ---------------------------------------------------------------------------- product pages

OFFERS_KEY = "flash:offers:v1"
# Bounds a write that bypasses the services (which forget the index at once and on commit).
OFFERS_TTL = 60


@dataclass(frozen=True)
class FlashOffer:
    """One SKU's place in a scheduled sale, as the product page shows it."""

    item_id: int
    sale_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    flash_price: Decimal
    quantity: int
    per_shopper_limit: int
    price: Decimal
    currency: str

    def phase(self, now) -> str:
        if now < self.starts_at:
            return "upcoming"
        return "live" if now < self.ends_at else "ended"


def flash_offers_forget() -> None:
    """Drop the product pages' index of scheduled sales (a sale scheduled, edited,
    cancelled): the next product view rebuilds it with one query."""
    cache.delete(OFFERS_KEY)


def _offer_index() -> dict[int, list[FlashOffer]]:
    rows = (
        FlashSaleItem.objects.filter(
            sale__status=FlashSale.Status.SCHEDULED, sale__ends_at__gt=timezone.now()
        )
        .order_by("sale__starts_at", "pk")
        .values_list(
            "sku_id",
            "pk",
            "sale_id",
            "sale__title",
            "sale__starts_at",
            "sale__ends_at",
            "flash_price",
            "quantity",
            "sale__per_shopper_limit",
            "sku__price",
            "sku__product__listing_currency",
        )
    )
    index: dict[int, list[FlashOffer]] = {}
    for sku_id, *offer in rows:
        index.setdefault(sku_id, []).append(FlashOffer(*offer))
    return index


def flash_offers(sku_ids, *, now=None, prefetched: dict | None = None) -> dict[int, FlashOffer]:
    """Per SKU, the sale on now or else the next one to start (never one that ended), from a
    cached index of every scheduled sale that has not ended. The index holds windows, not
    phases: the phase is decided here against ``now``, so it is right on each side of a
    window's edge whatever the index's age. One query when the index is missing, else none
    (``prefetched``: what the product page read along with the session)."""
    now = now or timezone.now()
    if prefetched is not None and OFFERS_KEY in prefetched:
        index = prefetched[OFFERS_KEY]
    else:
        index = cache.get(OFFERS_KEY)
    if index is None:
        index = _offer_index()
        cache.set(OFFERS_KEY, index, OFFERS_TTL)
    chosen: dict[int, FlashOffer] = {}
    for sku_id in sku_ids:
        for offer in index.get(int(sku_id), ()):
            if offer.phase(now) != "ended":
                chosen[int(sku_id)] = offer  # sorted by start: the live one, else the next
                break
    return chosen
