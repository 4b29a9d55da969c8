"""The product page's cached part: a visible product with its active SKUs, wholesale tiers
and images (live stock is ``live_stock``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Prefetch

from catalog.clearance import places_of, shippable, stock_places
from catalog.models import SKU, ProductImage, WholesaleTier
from catalog.sanitize import sanitize_html
from marketplace.cacheversion import storefront_cache_version
from marketplace.i18n import pick

from .cache import DETAIL_TTL, MISSING, cache_key
from .refs import NamedRef, brand_ref, image_url, merchant_ref, products_visible


@dataclass
class SkuView:
    id: int
    code: str
    attributes_en: dict
    attributes_zh_hans: dict
    price: Decimal
    min_order_quantity: int
    low_stock_threshold: int
    trade_modes: list[str]  # the modes its stock ships under (``catalog.clearance``)
    origin_country: str
    tiers: list[tuple[int, Decimal]]

    @property
    def attributes(self) -> dict:
        """The attributes in the page language, else in the other one."""
        return pick(self.attributes_en, self.attributes_zh_hans)


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
        return pick(self.name_en, self.name_zh_hans)

    @property
    def description(self) -> str:
        return pick(self.description_en, self.description_zh_hans)

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
                queryset=SKU.objects.filter(is_active=True)
                .annotate(places=stock_places())
                .order_by("id"),
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
            attributes_en=dict(sku.attributes_en or {}),
            attributes_zh_hans=dict(sku.attributes_zh_hans or {}),
            price=sku.price,
            min_order_quantity=sku.min_order_quantity,
            low_stock_threshold=sku.low_stock_threshold,
            trade_modes=shippable(
                sku_modes=sku.trade_modes,
                merchant_kind=product.merchant.kind,
                places=places_of(sku.places),
            ),
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
        merchant=merchant_ref(product.merchant),
        brand=brand_ref(product.brand),
        category_id=product.category_id,
        images=[
            {
                "url": image.image.url if image.image else "",
                "thumbnail": image_url(image),
                "alt": image.alt,
            }
            for image in product.images.all()
        ],
        skus=skus,
        trade_modes=sorted({m for s in skus for m in s.trade_modes}),
    )


def detail_cache_key(product_id: int) -> str:
    return cache_key("detail", storefront_cache_version(), product_id)


def product_detail(product_id: int, *, prefetched: dict | None = None) -> ProductDetail | None:
    """A visible product with its active SKUs, tiers and images, or None (4 queries on a
    miss, cached per version; "not visible" is cached too)."""
    key = detail_cache_key(product_id)
    detail = (prefetched or {}).get(key) or cache.get(key)
    if detail is None:
        detail = _detail_from_db(product_id)
        cache.set(key, MISSING if detail is None else detail, DETAIL_TTL)
    return None if detail == MISSING else detail
