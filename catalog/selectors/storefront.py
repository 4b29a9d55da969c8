"""Storefront reads: what a shopper may see, shaped for pages and the public API.

Visible to shoppers == ``Product.status`` approved AND the product's merchant approved.

Every read here has a constant number of queries whatever the page size (prefetching), and
the expensive ones are cached in the Django cache (Redis in production) under keys that
carry one *storefront version*. Writes to catalog rows bump the version (receivers at the end
of this module, connected by ``CatalogConfig.ready``); anything that changes what shoppers
see without saving a catalog row (a merchant suspended, stock changed with ``update()``)
calls ``storefront_cache_bump()``. Every entry also has a short TTL, the bound on staleness
for anything missed. docs/STOREFRONT.md, "Caching", lists the keys.

Search lives behind one selector, ``search_product_ids``: PostgreSQL full-text search over an
expression GIN index (English stemmed, Chinese as character unigrams + bigrams, the way a CJK
analyser indexes it), or ``icontains`` on SQLite. Moving to OpenSearch replaces that function.
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

from catalog.models import (
    SKU,
    Brand,
    Category,
    Product,
    ProductImage,
    Stock,
    TradeMode,
    WholesaleTier,
)
from catalog.sanitize import sanitize_html
from logistics.models import Warehouse
from merchants.models import Merchant

PAGE_SIZE = 24
MAX_CACHED_IDS = 1000  # search results kept per query: ~40 pages; deeper pages query live

VERSION_KEY = "sf:version"
TREE_TTL = 3600
LIST_TTL = 120
SEARCH_TTL = 300
CARD_TTL = 600
DETAIL_TTL = 300
MISSING = "missing"  # cached marker for "no such visible product"


# --- the storefront cache version --------------------------------------------------------


_pinned: ContextVar[int | None] = ContextVar("storefront_version", default=None)


def storefront_cache_version() -> int:
    """The current storefront version; every storefront cache key carries it.

    A missing version (first use, eviction, a flushed cache) starts from the clock, so a
    version number is never reused and nothing read under an old one can come back.
    """
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    version = cache.get(VERSION_KEY)
    if version is None:
        _local.clear()
        cache.add(VERSION_KEY, time.time_ns() // 1000, None)
        version = cache.get(VERSION_KEY)
    _last_seen["version"] = version
    return version


@contextmanager
def version_pinned(version: int):
    """Within the block, ``storefront_cache_version()`` is ``version`` (no cache read)."""
    token = _pinned.set(version)
    try:
        yield version
    finally:
        _pinned.reset(token)


def pin_version(view):
    """Decorator for read-only storefront views: the version is read once per request."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if _pinned.get() is not None:  # already pinned by an outer layer (the page cache)
            return view(*args, **kwargs)
        with version_pinned(storefront_cache_version()):
            return view(*args, **kwargs)

    return wrapper


# The version this process saw last: a guess that lets a page read the version and the
# entries keyed by it in one round trip. It is only ever a guess, checked in that same read.
_last_seen = {"version": None}


def read_versioned(make_keys: Callable[[int], list[str]]) -> tuple[int, dict]:
    """The current storefront version and the cache entries ``make_keys(version)`` names.

    One ``get_many`` carries the version key and the keys built from the version this
    process saw last; when the version has not moved (nearly always) that is the only
    round trip. When it has, the entries are read again under the new version. Nothing is
    served under a version other than the current one: there is no staleness here.
    """
    guess = _pinned.get() or _last_seen["version"]
    version = None
    if guess is not None:
        found = cache.get_many([VERSION_KEY, *make_keys(guess)])
        version = found.pop(VERSION_KEY, None)
        if version == guess:
            return version, found
    if version is None:  # first read in this process, or no version yet (starts one)
        version = storefront_cache_version()
    _last_seen["version"] = version
    return version, cache.get_many(make_keys(version))


def storefront_cache_bump() -> None:
    """Make every cached storefront read stale (call after a change shoppers must see)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: the next read starts a fresh one
        storefront_cache_version()


# Small, hot, rarely changing reads (the category tree, brands, facets) are also kept in
# process memory under their versioned key: no network round trip, no unpickling. A bump
# changes the key, so this copy can never outlive the version it was read under.
_local: OrderedDict[str, object] = OrderedDict()
LOCAL_MAX = 512


def _cached(key: str, ttl: int, load):
    """Process memory, then the shared cache, then ``load()`` (stored in both)."""
    if key in _local:
        _local.move_to_end(key)
        return _local[key]
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, ttl)
    _local[key] = value
    while len(_local) > LOCAL_MAX:
        _local.popitem(last=False)
    return value


_SAFE_KEY = re.compile(r"^[A-Za-z0-9_:.,|-]{0,150}$")


def _key(kind: str, version: int, *parts) -> str:
    """``sf:<kind>:<version>:<parts>``; shopper-typed or long parts are hashed so any cache
    backend accepts the key."""
    raw = ":".join(str(p) for p in parts)
    if not _SAFE_KEY.match(raw):
        raw = hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    return f"sf:{kind}:{version}:{raw}"


def _lang() -> str:
    return "zh-hans" if (get_language() or "").startswith("zh") else "en"


def _pick(en: str, zh: str) -> str:
    """A translated value in the current language, falling back to the other one."""
    if _lang() == "zh-hans":
        return zh or en
    return en or zh


# --- visibility ----------------------------------------------------------------------------


def products_visible() -> QuerySet[Product]:
    """Products shoppers may see: approved, from an approved merchant."""
    return Product.objects.filter(
        status=Product.Status.APPROVED, merchant__status=Merchant.Status.APPROVED
    )


# --- the category tree -----------------------------------------------------------------


@dataclass(frozen=True)
class CategoryNode:
    id: int
    parent_id: int | None
    slug: str
    name_en: str
    name_zh_hans: str

    @property
    def name(self) -> str:
        return _pick(self.name_en, self.name_zh_hans)


@dataclass
class CategoryTree:
    """Active categories as a tree; built once per version and cached whole."""

    nodes: dict[int, CategoryNode]
    children_of: dict[int | None, list[int]]

    @property
    def roots(self) -> list[CategoryNode]:
        return [self.nodes[i] for i in self.children_of.get(None, [])]

    def children(self, node_id: int) -> list[CategoryNode]:
        return [self.nodes[i] for i in self.children_of.get(node_id, [])]

    def by_slug(self, slug: str) -> CategoryNode | None:
        return next((n for n in self.nodes.values() if n.slug == slug), None)

    def subtree_ids(self, node_id: int) -> list[int]:
        ids, todo = [], [node_id]
        while todo:
            current = todo.pop()
            ids.append(current)
            todo.extend(self.children_of.get(current, []))
        return ids

    def ancestors(self, node_id: int) -> list[CategoryNode]:
        """From the root down to the node's parent (breadcrumbs)."""
        chain = []
        current = self.nodes.get(node_id)
        while current is not None and current.parent_id is not None:
            current = self.nodes.get(current.parent_id)
            if current is not None:
                chain.append(current)
        return list(reversed(chain))


def category_tree() -> CategoryTree:
    """The active category tree in the operator's order (1 query, cached per version)."""
    return _cached(_key("tree", storefront_cache_version()), TREE_TTL, _load_tree)


def _load_tree() -> CategoryTree:
    rows = Category.objects.filter(is_active=True).order_by("position", "slug")
    nodes, children_of = {}, {}
    fields = ("id", "parent_id", "slug", "name_en", "name_zh_hans")
    for row in rows.values(*fields):
        nodes[row["id"]] = CategoryNode(
            row["id"], row["parent_id"], row["slug"], row["name_en"] or "",
            row["name_zh_hans"] or "",
        )  # fmt: skip
    for node in nodes.values():
        # a child of an inactive parent is unreachable, like its parent
        if node.parent_id is None or node.parent_id in nodes:
            children_of.setdefault(node.parent_id, []).append(node.id)
    return CategoryTree(nodes, children_of)


def categories_top() -> list[CategoryNode]:
    """Active top-level categories, in the operator's order."""
    return category_tree().roots


# --- brands and merchants (small lists, cached) ----------------------------------------------


@dataclass(frozen=True)
class NamedRef:
    id: int
    slug: str
    name_en: str
    name_zh_hans: str
    self_operated: bool = False

    @property
    def name(self) -> str:
        return _pick(self.name_en, self.name_zh_hans)


def brands_active() -> dict[int, NamedRef]:
    """Active brands by id (cached per version)."""
    return _cached(_key("brands", storefront_cache_version()), TREE_TTL, _load_brands)


def _load_brands() -> dict[int, NamedRef]:
    rows = Brand.objects.filter(is_active=True).values_list("id", "slug", "name_en", "name_zh_hans")
    return {r[0]: NamedRef(r[0], r[1], r[2] or "", r[3] or "") for r in rows}


def merchant_public(slug: str) -> Merchant | None:
    """An approved merchant by slug, or None."""
    return Merchant.objects.filter(slug=slug, status=Merchant.Status.APPROVED).first()


# --- filters ---------------------------------------------------------------------------------


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    ALL = (RELEVANCE, NEWEST, PRICE_ASC, PRICE_DESC)


TRADE_MODE_FLAGS = {
    TradeMode.BONDED: "allow_bonded",
    TradeMode.DIRECT: "allow_direct",
    TradeMode.PERSONAL_PARCEL: "allow_personal_parcel",
    TradeMode.GENERAL_TRADE: "allow_general_trade",
}


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


def _apply_filters(
    qs: QuerySet[Product], filters: ListingFilters, rates: dict[str, Decimal]
) -> QuerySet[Product]:
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
        sku_rule &= Q(**{TRADE_MODE_FLAGS[filters.trade_mode]: True})
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


def _ordered(qs: QuerySet[Product], sort: str) -> QuerySet[Product]:
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


def _page_bounds(page: int, per_page: int) -> tuple[int, int]:
    start = (max(page, 1) - 1) * per_page
    return start, start + per_page


def fragment_cache_key(version: int, name: str, *parts) -> str:
    """Key of a rendered page fragment (views cache those; they carry the version too)."""
    return _key("frag", version, name, *parts)


def listing_cache_key(filters: ListingFilters, page: int = 1, per_page: int = PAGE_SIZE) -> str:
    return _key("list", storefront_cache_version(), filters.cache_part(), page, per_page)


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
    rates = rates if rates is not None else _rates()
    qs = _apply_filters(products_visible(), filters, rates)
    total = qs.count()
    start, end = _page_bounds(page, per_page)
    ids = list(_ordered(qs, filters.sort).values_list("id", flat=True)[start:end]) if total else []
    cache.set(key, (ids, total), LIST_TTL)
    return IdPage(ids, total, page, per_page)


def _rates() -> dict[str, Decimal]:
    from marketplace.currency import rates_for_display

    return rates_for_display()


# --- product cards (listing, search, home) ----------------------------------------------------


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
    trade_modes: list[str]
    category_id: int

    @property
    def name(self) -> str:
        return _pick(self.name_en, self.name_zh_hans)

    @property
    def bonded(self) -> bool:
        return TradeMode.BONDED in self.trade_modes


def _merchant_ref(merchant: Merchant) -> NamedRef:
    return NamedRef(
        merchant.id,
        merchant.slug,
        merchant.name_en or "",
        merchant.name_zh_hans or "",
        merchant.kind == Merchant.Kind.SELF_OPERATED,
    )


def _brand_ref(brand: Brand | None) -> NamedRef | None:
    if brand is None:
        return None
    return NamedRef(brand.id, brand.slug, brand.name_en or "", brand.name_zh_hans or "")


def _image_url(image: ProductImage) -> str:
    field_file = image.thumbnail or image.image
    return field_file.url if field_file else ""


def _cards_from_db(ids: list[int]) -> dict[int, ProductCard]:
    products = (
        products_visible()
        .filter(pk__in=ids)
        .select_related("merchant", "brand")
        .prefetch_related(
            Prefetch(
                "skus",
                queryset=SKU.objects.filter(is_active=True).only(
                    "id", "product_id", "price", *TRADE_MODE_FLAGS.values()
                ),
                to_attr="active_skus",
            ),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        )
    )
    cards = {}
    for product in products:
        prices = [sku.price for sku in product.active_skus]
        modes = sorted({mode for sku in product.active_skus for mode in sku.trade_modes})
        images = list(product.images.all())
        cards[product.id] = ProductCard(
            id=product.id,
            slug=product.slug,
            name_en=product.name_en or "",
            name_zh_hans=product.name_zh_hans or "",
            listing_currency=product.listing_currency,
            min_price=min(prices) if prices else None,
            merchant=_merchant_ref(product.merchant),
            brand=_brand_ref(product.brand),
            thumbnail=_image_url(images[0]) if images else "",
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
    keys = {pid: _key("card", version, pid) for pid in ids}
    found = cache.get_many(list(keys.values()))
    cards = {pid: found[key] for pid, key in keys.items() if key in found}
    missing = [pid for pid in ids if pid not in cards]
    if missing:
        loaded = _cards_from_db(missing)
        cache.set_many({keys[pid]: card for pid, card in loaded.items()}, CARD_TTL)
        cards.update(loaded)
    return [cards[pid] for pid in ids if pid in cards]


def products_newest(limit: int = 12) -> list[ProductCard]:
    """The newest visible products (home page)."""
    return product_cards(listing_product_ids(ListingFilters(), per_page=limit).ids)


# --- product detail -----------------------------------------------------------------------


@dataclass
class SkuView:
    id: int
    code: str
    attributes: dict
    price: Decimal
    min_order_quantity: int
    low_stock_threshold: int
    trade_modes: list[str]
    origin_country: str
    tiers: list[tuple[int, Decimal]]


@dataclass
class ProductDetail:
    """Everything the product page shows except live stock (which is read per request)."""

    id: int
    slug: str
    name_en: str
    name_zh_hans: str
    description_en: str
    description_zh_hans: str
    listing_currency: str
    min_order_quantity: int
    merchant: NamedRef
    brand: NamedRef | None
    category_id: int
    images: list[dict]
    skus: list[SkuView]
    trade_modes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return _pick(self.name_en, self.name_zh_hans)

    @property
    def description(self) -> str:
        return _pick(self.description_en, self.description_zh_hans)

    @property
    def min_price(self) -> Decimal | None:
        return min((s.price for s in self.skus), default=None)

    @property
    def has_wholesale(self) -> bool:
        return self.min_order_quantity > 1 or any(
            s.tiers or s.min_order_quantity > 1 for s in self.skus
        )


def _detail_from_db(product_id: int) -> ProductDetail | None:
    product = (
        products_visible()
        .select_related("merchant", "brand")
        .prefetch_related(
            Prefetch(
                "skus",
                queryset=SKU.objects.filter(is_active=True).order_by("id"),
                to_attr="active_skus",
            ),
            Prefetch("active_skus__tiers", queryset=WholesaleTier.objects.order_by("min_quantity")),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        )
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        return None
    skus = [
        SkuView(
            id=sku.id,
            code=sku.code,
            attributes=dict(sku.attributes or {}),
            price=sku.price,
            min_order_quantity=sku.min_order_quantity,
            low_stock_threshold=sku.low_stock_threshold,
            trade_modes=sku.trade_modes,
            origin_country=sku.origin_country,
            tiers=[(t.min_quantity, t.unit_price) for t in sku.tiers.all()],
        )
        for sku in product.active_skus
    ]
    return ProductDetail(
        id=product.id,
        slug=product.slug,
        name_en=product.name_en or "",
        name_zh_hans=product.name_zh_hans or "",
        # sanitised on the way in; again here (cached) so older rows can never carry a script
        description_en=sanitize_html(product.description_en or ""),
        description_zh_hans=sanitize_html(product.description_zh_hans or ""),
        listing_currency=product.listing_currency,
        min_order_quantity=product.min_order_quantity,
        merchant=_merchant_ref(product.merchant),
        brand=_brand_ref(product.brand),
        category_id=product.category_id,
        images=[
            {
                "url": image.image.url if image.image else "",
                "thumbnail": _image_url(image),
                "alt": image.alt,
            }
            for image in product.images.all()
        ],
        skus=skus,
        trade_modes=sorted({m for s in skus for m in s.trade_modes}),
    )


def detail_cache_key(product_id: int) -> str:
    return _key("detail", storefront_cache_version(), product_id)


def product_detail(product_id: int, *, prefetched: dict | None = None) -> ProductDetail | None:
    """A visible product with its active SKUs, tiers and images, or None (4 queries on a
    miss, cached per version; "not visible" is cached too)."""
    key = detail_cache_key(product_id)
    detail = (prefetched or {}).get(key) or cache.get(key)
    if detail is None:
        detail = _detail_from_db(product_id)
        cache.set(key, MISSING if detail is None else detail, DETAIL_TTL)
    return None if detail == MISSING else detail


class Availability:
    IN_STOCK = "in_stock"
    LOW_STOCK = "low_stock"
    OUT_OF_STOCK = "out_of_stock"


@dataclass
class StockView:
    """Live stock of one product: per SKU available (on hand − reserved over warehouses), its
    state, and the warehouses it ships from."""

    by_sku: dict[int, int]
    state_by_sku: dict[int, str]
    warehouses: list[dict]

    @property
    def state(self) -> str:
        states = set(self.state_by_sku.values())
        if Availability.IN_STOCK in states:
            return Availability.IN_STOCK
        if Availability.LOW_STOCK in states:
            return Availability.LOW_STOCK
        return Availability.OUT_OF_STOCK


def availability_state(available: int, threshold: int) -> str:
    if available <= 0:
        return Availability.OUT_OF_STOCK
    if available <= threshold:
        return Availability.LOW_STOCK
    return Availability.IN_STOCK


def product_stock(detail: ProductDetail) -> StockView:
    """Live availability for the product's SKUs (1 query, never cached: a shopper must not
    be told "in stock" about goods that just sold out)."""
    return sku_stock([(s.id, s.low_stock_threshold) for s in detail.skus])


# Warehouses are a handful of rows, read on every product view: kept in process memory for
# WAREHOUSE_TTL seconds, so the live stock read is one single-table index scan (a join with
# warehouses cost PostgreSQL four times the CPU). A warehouse switched off may still count
# for that long; one the copy does not know yet makes it read again at once.
WAREHOUSE_TTL = 10.0
_warehouses: dict = {"until": 0.0, "rows": {}}


def _warehouse_directory(*, refresh: bool = False) -> dict[int, tuple[str, str, str, bool]]:
    """Every warehouse by id: ``(name, kind, country, is_active)``."""
    now = time.monotonic()
    if refresh or now >= _warehouses["until"]:
        w = Warehouse._meta.get_field
        columns = ", ".join(w(f).column for f in ("id", "name", "kind", "country", "is_active"))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {Warehouse._meta.db_table}")  # noqa: S608
            rows = {row[0]: (row[1], row[2], row[3], bool(row[4])) for row in cursor.fetchall()}
        _warehouses.update(rows=rows, until=now + WAREHOUSE_TTL)
    return _warehouses["rows"]


@lru_cache(maxsize=32)
def _stock_sql(count: int) -> str:
    s = Stock._meta.get_field
    columns = ", ".join(s(f).column for f in ("sku", "on_hand", "reserved", "warehouse"))
    placeholders = ", ".join(["%s"] * count)
    # identifiers come from the model's metadata; values are parameters
    return (
        f"SELECT {columns} FROM {Stock._meta.db_table} "  # noqa: S608
        f"WHERE {s('sku').column} IN ({placeholders})"
    )


def _stock_rows(sku_ids: list[int]) -> list[tuple]:
    """``(sku, on hand, reserved, warehouse id, name, kind, country)`` per stock row of
    ``sku_ids`` in an active warehouse, by warehouse.

    Plain SQL because it runs on every product page view, cached page or not: building and
    compiling the equivalent ORM query cost several times the CPU of running it. Table and
    column names come from the models, so a rename still reaches it.
    """
    with connection.cursor() as cursor:
        cursor.execute(_stock_sql(len(sku_ids)), sku_ids)
        rows = cursor.fetchall()
    places = _warehouse_directory()
    if any(warehouse_id not in places for *_, warehouse_id in rows):
        places = _warehouse_directory(refresh=True)
    live = []
    for sku_id, on_hand, reserved, warehouse_id in rows:
        name, kind, country, active = places.get(warehouse_id, ("", "", "", False))
        if active:
            live.append((sku_id, on_hand, reserved, warehouse_id, name, kind, country))
    live.sort(key=lambda row: row[3])
    return live


def sku_stock(skus: list[tuple[int, int]]) -> StockView:
    """Live availability of SKUs given as ``(id, low-stock threshold)`` pairs: what the
    product page needs on every view, even when the rest of the page comes from the cache
    (1 query, never cached)."""
    sku_ids = [sku_id for sku_id, _threshold in skus]
    rows = _stock_rows(sku_ids) if sku_ids else ()
    by_sku: dict[int, int] = dict.fromkeys(sku_ids, 0)
    warehouses: dict[int, dict] = {}
    for sku_id, on_hand, reserved, warehouse_id, name, kind, country in rows:
        available = max(on_hand - reserved, 0)
        by_sku[sku_id] += available
        if available > 0 and warehouse_id not in warehouses:
            warehouses[warehouse_id] = {"name": name, "kind": kind, "country": country}
    states = {sku_id: availability_state(by_sku[sku_id], threshold) for sku_id, threshold in skus}
    return StockView(by_sku, states, list(warehouses.values()))


# --- search ------------------------------------------------------------------------------------

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
# Dropped from queries: PostgreSQL's English configuration ignores them anyway, and a term
# that can only match nothing would empty the whole result.
STOP_WORDS = frozenset(
    ("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of",
     "on", "or", "the", "to", "with")
)  # fmt: skip
MAX_TERMS = 8


@dataclass(frozen=True)
class Term:
    """One query term: a run of Chinese characters or one word."""

    text: str
    cjk: bool

    @property
    def grams(self) -> list[str]:
        """Chinese terms match as character bigrams (one character matches as itself)."""
        if len(self.text) == 1:
            return [self.text]
        return [self.text[i : i + 2] for i in range(len(self.text) - 1)]


def normalise_query(raw: str) -> str:
    """NFKC (full-width to half-width), case-folded, single spaces, at most 100 characters."""
    text = unicodedata.normalize("NFKC", raw or "").casefold()
    return " ".join(text.split())[:100]


def query_terms(normalised: str) -> list[Term]:
    terms = []
    for token in _TOKEN.findall(normalised):
        cjk = bool(re.match(rf"[{_CJK}]", token))
        if not cjk and token in STOP_WORDS:
            continue
        term = Term(token, cjk)
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


class NameMatches(Func):
    """``silkway_product_search(name_en, name_zh_hans) @@ <tsquery>``: the expression the
    GIN index (migration 0005 storefront search) is built on, so PostgreSQL uses it."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, term: Term, *, last: bool):
        if term.cjk:
            tsquery = " & ".join(term.grams)
            query = Func(Value(tsquery), function="", template="%(expressions)s::tsquery")
        else:
            # the last word may be half-typed: match it as a prefix
            text = term.text + (":*" if last and len(term.text) >= 3 else "")
            query = Func(Value("english"), Value(text), function="to_tsquery")
        super().__init__(F("name_en"), F("name_zh_hans"), query)

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, sql_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(sql_params)
        vector = f"silkway_product_search({parts[0]}::text, {parts[1]}::text)"
        return f"({vector} @@ {parts[2]})", params


def _word_matches(word: str, term: Term) -> bool:
    if term.cjk:
        return term.text in word
    # a light stem so "wines" finds the "Wine" category
    return word.startswith(term.text) or (
        len(word) >= 3 and term.text.startswith(word) and len(term.text) - len(word) <= 2
    )


def _name_has(names: tuple[str, str], term: Term) -> bool:
    for name in names:
        folded = unicodedata.normalize("NFKC", name).casefold()
        if term.cjk:
            if term.text in folded:
                return True
        elif any(_word_matches(w, term) for w in re.findall(r"[^\W_]+", folded)):
            return True
    return False


def _brand_ids_for(term: Term) -> list[int]:
    return [b.id for b in brands_active().values() if _name_has((b.name_en, b.name_zh_hans), term)]


def _category_ids_for(term: Term) -> list[int]:
    tree = category_tree()
    ids: set[int] = set()
    for node in tree.nodes.values():
        if node.id not in ids and _name_has((node.name_en, node.name_zh_hans), term):
            ids.update(tree.subtree_ids(node.id))
    return sorted(ids)


def full_text_available() -> bool:
    """PostgreSQL has the full-text index (migration 0006); SQLite matches substrings."""
    return connection.vendor == "postgresql"


def _term_rule(term: Term, *, last: bool) -> Q:
    """A product matches a term by its name (either language), its brand or its category."""
    if full_text_available():
        rule = Q(NameMatches(term, last=last))
    else:
        # SQLite (embedded default): substring matching, a light plural stem for words
        text = term.text
        stem = text[:-1] if not term.cjk and len(text) > 3 and text.endswith("s") else text
        rule = Q(name_en__icontains=stem) | Q(name_zh_hans__icontains=stem)
    brands = _brand_ids_for(term)
    if brands:
        rule |= Q(brand_id__in=brands)
    categories = _category_ids_for(term)
    if categories:
        rule |= Q(category_id__in=categories)
    return rule


def _search_queryset(
    normalised: str, terms: list[Term], filters: ListingFilters, rates
) -> QuerySet[Product]:
    qs = products_visible()
    for index, term in enumerate(terms):
        qs = qs.filter(_term_rule(term, last=index == len(terms) - 1))
    qs = _apply_filters(qs, filters, rates)
    if filters.sort in (Sort.RELEVANCE, ""):
        # names holding the whole query first, then the rest; newest first within each
        phrase = Q(name_en__icontains=normalised) | Q(name_zh_hans__icontains=normalised)
        qs = qs.annotate(
            rank=Case(When(phrase, then=Value(0)), default=Value(1), output_field=IntegerField())
        ).order_by("rank", "-published_at", "-id")
    else:
        qs = _ordered(qs, filters.sort)
    return qs


def search_cache_key(raw_query: str, filters: ListingFilters) -> str:
    normalised = normalise_query(raw_query)
    return _key("search", storefront_cache_version(), normalised, filters.cache_part())


def search_product_ids(
    raw_query: str,
    filters: ListingFilters,
    *,
    page: int = 1,
    per_page: int = PAGE_SIZE,
    rates=None,
    prefetched: dict | None = None,
) -> IdPage:
    """Visible products matching every term of ``raw_query`` (Chinese or English) by name in
    either language, brand or category, with ``filters``; ranked (names holding the whole
    query first, then newest) unless another sort is asked for.

    The first ``MAX_CACHED_IDS`` ids per normalised query and filters are cached
    (``SEARCH_TTL``), so paging through results costs one cache read per page.
    """
    normalised = normalise_query(raw_query)
    terms = query_terms(normalised)
    if not terms:
        return IdPage([], 0, page, per_page)
    start, end = _page_bounds(page, per_page)
    key = search_cache_key(raw_query, filters)
    cached = (prefetched or {}).get(key) or cache.get(key)
    rates = rates if rates is not None else _rates()
    if cached is None:
        qs = _search_queryset(normalised, terms, filters, rates)
        ids = list(qs.values_list("id", flat=True)[: MAX_CACHED_IDS + 1])
        total = len(ids) if len(ids) <= MAX_CACHED_IDS else qs.count()
        cached = (ids[:MAX_CACHED_IDS], total)
        cache.set(key, cached, SEARCH_TTL)
    ids, total = cached
    if end <= MAX_CACHED_IDS or total <= MAX_CACHED_IDS:
        return IdPage(ids[start:end], total, page, per_page)
    qs = _search_queryset(normalised, terms, filters, rates)
    return IdPage(list(qs.values_list("id", flat=True)[start:end]), total, page, per_page)


# --- facets -------------------------------------------------------------------------------


def listing_facets(filters: ListingFilters) -> dict[str, list[NamedRef]]:
    """Brands and merchants that have visible products in the filtered category (for the
    filter form; 2 queries, cached per version)."""
    key = _key("facets", storefront_cache_version(), ",".join(map(str, filters.category_ids)))
    return _cached(key, LIST_TTL, lambda: _load_facets(filters))


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
        "merchants": [_merchant_ref(m) for m in merchants],
    }


# --- invalidation -----------------------------------------------------------------------------

_WATCHED = (Category, Brand, Product, SKU, ProductImage, WholesaleTier)


def _bump_on_change(sender, **kwargs) -> None:
    storefront_cache_bump()


def connect_cache_invalidation() -> None:
    """Bump the storefront version whenever a catalog row shoppers see is saved or deleted.

    Receivers stay inside the catalog app (the house rule is no signals *between* apps);
    ``CatalogConfig.ready`` calls this so web, worker and shell processes all invalidate.
    Stock is not watched: the product page reads it live, and listings' "in stock" filter
    lives with ``LIST_TTL``.
    """
    for model in _WATCHED:
        uid = f"storefront-cache-{model._meta.label_lower}"
        post_save.connect(_bump_on_change, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_bump_on_change, sender=model, dispatch_uid=uid + "-delete")
