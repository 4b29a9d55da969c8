"""Catalog reads for the seller portal and the seller API: always scoped to one merchant.

Query shapes are fixed so the list and detail pages cost the same number of queries however
many products, variants, tiers, images or events there are (pinned by tests).
"""

from __future__ import annotations

from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from catalog.models import (
    SKU,
    Product,
    ProductEvent,
    ProductImage,
    ProductRevision,
    ProductRevisionEvent,
    ProductRevisionImage,
    WholesaleTier,
)


def _pending_revision_exists():
    return Exists(
        ProductRevision.objects.filter(
            product=OuterRef("pk"), status=ProductRevision.Status.PENDING
        )
    )


def seller_products(merchant, *, status: str | None = None) -> QuerySet[Product]:
    """The merchant's products for the list page/API: category, brand, variant count, price
    range, first image and whether edits await review, newest changes first."""
    rows = (
        Product.objects.for_merchant(merchant)
        .select_related("category", "brand")
        .annotate(
            sku_count=Count("skus"),
            price_min=Min("skus__price"),
            price_max=Max("skus__price"),
            has_pending_revision=_pending_revision_exists(),
        )
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"))
        )
        .order_by("-updated_at", "-id")
    )
    if status:
        rows = rows.filter(status=status)
    return rows


def seller_status_counts(merchant) -> dict[str, int]:
    """How many of the merchant's products are in each status (for the filter tabs)."""
    rows = (
        Product.objects.for_merchant(merchant)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def detail_prefetches() -> list:
    return [
        Prefetch(
            "skus",
            queryset=SKU.objects.order_by("id").prefetch_related(
                Prefetch("tiers", queryset=WholesaleTier.objects.order_by("min_quantity"))
            ),
        ),
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        Prefetch("events", queryset=ProductEvent.objects.select_related("actor")),
        Prefetch(
            "revisions",
            queryset=ProductRevision.objects.select_related("created_by").prefetch_related(
                Prefetch("events", queryset=ProductRevisionEvent.objects.select_related("actor")),
                Prefetch("images", queryset=ProductRevisionImage.objects.order_by("position")),
            ),
        ),
    ]


def seller_product_detail_queryset(merchant) -> QuerySet[Product]:
    """The merchant's products with everything the detail page and API show, prefetched."""
    return (
        Product.objects.for_merchant(merchant)
        .select_related("category", "brand")
        .prefetch_related(*detail_prefetches())
    )


def seller_product_detail(merchant, pk: int) -> Product:
    """One of the merchant's products, fully prefetched; another merchant's is a 404."""
    return get_object_or_404(seller_product_detail_queryset(merchant), pk=pk)


def seller_product(merchant, pk: int) -> Product:
    """One of the merchant's products, bare (for writes); another merchant's is a 404.

    Not locked: the services lock it themselves (``catalog.lock_objects.lock_product``)."""
    return get_object_or_404(Product.objects.for_merchant(merchant), pk=pk)
