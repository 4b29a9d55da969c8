"""Listings: filters, sorted pages of product ids, product cards, facets.

A listing page is ids first (cached per version and filters), then cards for those ids
(cached per product), so a catalog of any size costs a constant number of queries per page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from catalog.clearance import places_of, shippable, ships_under, stock_places
from catalog.models import SKU, TRADE_MODE_FLAGS, Product, ProductImage, Stock
from marketplace.cacheversion import storefront_cache_version
from marketplace.clearance import ClearanceMode
from marketplace.currency import rates_for_display
from marketplace.i18n import pick
from merchants.models import Merchant

from .cache import CARD_TTL, LIST_TTL, PAGE_SIZE, cache_key, cached_small
from .refs import NamedRef, brand_ref, brands_active, image_url, merchant_ref, products_visible

# --- filters ---------------------------------------------------------------------------------


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    ALL = (RELEVANCE, NEWEST, PRICE_ASC, PRICE_DESC)


@dataclass(frozen=True)
class ListingFilters:
    """What a shopper narrowed a listing or search to. Prices are in ``currency``."""

    category_ids: tuple[int, ...] = ()
    brand_id: int | None = None
    merchant_id: int | None = None
    trade_mode: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    currency: str = ""
    in_stock: bool = False
    self_operated: bool = False
    origin_country: str = ""
    sort: str = Sort.NEWEST

    def cache_part(self) -> str:
        # prices depend on the currency only when a bound or the order uses them
        priced = self.price_min is not None or self.price_max is not None
        priced = priced or self.sort in (Sort.PRICE_ASC, Sort.PRICE_DESC)
        return "|".join(
            str(x)
            for x in (
                ",".join(map(str, self.category_ids)), self.brand_id, self.merchant_id,
                self.trade_mode, self.price_min, self.price_max,
                self.currency if priced else "", int(self.in_stock), int(self.self_operated),
                self.origin_country, self.sort,
            )
        )  # fmt: skip


def _min_price() -> Subquery:
    return Subquery(
        SKU.objects.filter(product=OuterRef("pk"), is_active=True)
        .order_by()
        .values("product")
        .annotate(low=Min("price"))
        .values("low")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def _price_in_base(rates: dict[str, Decimal]) -> Case:
    """The product's lowest price in the base currency at the operator's rates (SQL CASE over
    the few currencies; no rate -> NULL, so it drops out of price filters and sorts last)."""
    return Case(
        *[
            When(listing_currency=code, then=F("min_price") * Value(rate))
            for code, rate in sorted(rates.items())
        ],
        default=Value(None),
        output_field=DecimalField(max_digits=24, decimal_places=8),
    )


def apply_filters(
    qs: QuerySet[Product], filters: ListingFilters, rates: dict[str, Decimal]
) -> QuerySet[Product]:
    """``qs`` narrowed to ``filters``; prices compared in the base currency at ``rates``
    (annotates ``min_price`` and ``base_price`` when a price bound or price order needs them)."""
    if filters.category_ids:
        qs = qs.filter(category_id__in=filters.category_ids)
    if filters.brand_id:
        qs = qs.filter(brand_id=filters.brand_id)
    if filters.merchant_id:
        qs = qs.filter(merchant_id=filters.merchant_id)
    if filters.self_operated:
        qs = qs.filter(merchant__kind=Merchant.Kind.SELF_OPERATED)
    sku_rule = Q()
    if filters.trade_mode in TRADE_MODE_FLAGS:
        sku_rule &= ships_under(filters.trade_mode)
    if filters.origin_country:
        sku_rule &= Q(origin_country=filters.origin_country)
    if sku_rule:
        qs = qs.filter(Exists(SKU.objects.filter(sku_rule, product=OuterRef("pk"), is_active=True)))
    if filters.in_stock:
        qs = qs.filter(
            Exists(
                Stock.objects.filter(
                    sku__product=OuterRef("pk"), sku__is_active=True, on_hand__gt=F("reserved")
                )
            )
        )
    priced = filters.price_min is not None or filters.price_max is not None
    if priced or filters.sort in (Sort.PRICE_ASC, Sort.PRICE_DESC):
        qs = qs.annotate(min_price=_min_price()).annotate(base_price=_price_in_base(rates))
        display_rate = rates.get(filters.currency or settings.BASE_CURRENCY, Decimal(1))
        if filters.price_min is not None:
            qs = qs.filter(base_price__gte=filters.price_min * display_rate)
        if filters.price_max is not None:
            qs = qs.filter(base_price__lte=filters.price_max * display_rate)
    return qs


def ordered(qs: QuerySet[Product], sort: str) -> QuerySet[Product]:
    """``qs`` in the listing order ``sort`` names (newest first unless a price order)."""
    if sort == Sort.PRICE_ASC:
        return qs.order_by(F("base_price").asc(nulls_last=True), "-id")
    if sort == Sort.PRICE_DESC:
        return qs.order_by(F("base_price").desc(nulls_last=True), "-id")
    return qs.order_by("-published_at", "-id")


@dataclass
class IdPage:
    """One page of product ids and the total number of matches."""

    ids: list[int]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page_bounds(page: int, per_page: int) -> tuple[int, int]:
    """The slice ``[start, end)`` of page ``page`` (pages below 1 read as 1)."""
    start = (max(page, 1) - 1) * per_page
    return start, start + per_page


def listing_cache_key(filters: ListingFilters, page: int = 1, per_page: int = PAGE_SIZE) -> str:
    return cache_key("list", storefront_cache_version(), filters.cache_part(), page, per_page)


def listing_product_ids(
    filters: ListingFilters,
    *,
    page: int = 1,
    per_page: int = PAGE_SIZE,
    rates=None,
    prefetched: dict | None = None,
) -> IdPage:
    """Ids of visible products matching ``filters``, one page in the chosen order, and the
    total (2 queries, cached per version and filters for ``LIST_TTL``). ``prefetched`` is
    the result of a ``cache.get_many`` that may already hold the entry."""
    key = listing_cache_key(filters, page, per_page)
    cached = (prefetched or {}).get(key) or cache.get(key)
    if cached is not None:
        return IdPage(cached[0], cached[1], page, per_page)
    rates = rates if rates is not None else rates_for_display()
    qs = apply_filters(products_visible(), filters, rates)
    total = qs.count()
    start, end = page_bounds(page, per_page)
    ids = list(ordered(qs, filters.sort).values_list("id", flat=True)[start:end]) if total else []
    cache.set(key, (ids, total), LIST_TTL)
    return IdPage(ids, total, page, per_page)


@dataclass
class ProductCard:
    """What a product tile shows; plain data so it caches cheaply."""

    id: int
    slug: str
    name_en: str
    name_zh_hans: str
    listing_currency: str
    min_price: Decimal | None
    merchant: NamedRef
    brand: NamedRef | None
    thumbnail: str
    image_alt: str
    trade_modes: list[str]  # the modes its stock ships under (``catalog.clearance``)
    category_id: int

    @property
    def name(self) -> str:
        return pick(self.name_en, self.name_zh_hans)

    @property
    def bonded(self) -> bool:
        return ClearanceMode.BONDED in self.trade_modes


def _cards_from_db(ids: list[int]) -> dict[int, ProductCard]:
    products = (
        products_visible()
        .filter(pk__in=ids)
        .select_related("merchant", "brand")
        .prefetch_related(
            Prefetch(
                "skus",
                queryset=SKU.objects.filter(is_active=True)
                .only("id", "product_id", "price", *TRADE_MODE_FLAGS.values())
                .annotate(places=stock_places()),
                to_attr="active_skus",
            ),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        )
    )
    cards = {}
    for product in products:
        prices = [sku.price for sku in product.active_skus]
        kind = product.merchant.kind
        modes = sorted(
            {
                mode
                for sku in product.active_skus
                for mode in shippable(
                    sku_modes=sku.trade_modes, merchant_kind=kind, places=places_of(sku.places)
                )
            }
        )
        images = list(product.images.all())
        cards[product.id] = ProductCard(
            id=product.id,
            slug=product.slug,
            name_en=product.name_en or "",
            name_zh_hans=product.name_zh_hans or "",
            listing_currency=product.listing_currency,
            min_price=min(prices) if prices else None,
            merchant=merchant_ref(product.merchant),
            brand=brand_ref(product.brand),
            thumbnail=image_url(images[0]) if images else "",
            image_alt=images[0].alt if images else "",
            trade_modes=modes,
            category_id=product.category_id,
        )
    return cards


def product_cards(ids: list[int]) -> list[ProductCard]:
    """Cards for ``ids`` in that order (one cache round trip; misses cost 3 queries in all).
    Products no longer visible are left out."""
    if not ids:
        return []
    version = storefront_cache_version()
    keys = {pid: cache_key("card", version, pid) for pid in ids}
    found = cache.get_many(list(keys.values()))
    cards = {pid: found[key] for pid, key in keys.items() if key in found}
    missing = [pid for pid in ids if pid not in cards]
    if missing:
        loaded = _cards_from_db(missing)
        cache.set_many({keys[pid]: card for pid, card in loaded.items()}, CARD_TTL)
        cards.update(loaded)
    return [cards[pid] for pid in ids if pid in cards]


# --- facets -------------------------------------------------------------------------------


def listing_facets(filters: ListingFilters) -> dict[str, list[NamedRef]]:
    """Brands and merchants that have visible products in the filtered category (for the
    filter form; 2 queries, cached per version)."""
    key = cache_key("facets", storefront_cache_version(), ",".join(map(str, filters.category_ids)))
    return cached_small(key, LIST_TTL, lambda: _load_facets(filters))


def _load_facets(filters: ListingFilters) -> dict[str, list[NamedRef]]:
    qs = products_visible()
    if filters.category_ids:
        qs = qs.filter(category_id__in=filters.category_ids)
    brand_ids = set(qs.exclude(brand=None).order_by().values_list("brand_id", flat=True))
    brands = brands_active()
    merchants = Merchant.objects.filter(
        pk__in=qs.order_by().values("merchant_id"), status=Merchant.Status.APPROVED
    ).order_by("kind", "name")
    return {
        "brands": sorted((brands[i] for i in brand_ids if i in brands), key=lambda b: b.slug),
        "merchants": [merchant_ref(m) for m in merchants],
    }
