"""The catalog's row locks: one helper per aggregate, each taking its rows in one fixed order.

Two transactions that lock the same rows in different orders can deadlock: PostgreSQL then
kills one of them and its user sees a server error. So every catalog service that locks rows
goes through these helpers, which always take them in the project's lock order
(docs/ARCHITECTURE.md, "Lock order"): parent before children, primary-key order within a
kind, each with ``marketplace.locking.for_update`` (``FOR NO KEY UPDATE OF`` the row's own
table, so a join never locks another table's row).

- the **product aggregate** (``lock_product``): the product, then its pending revision, then
  the SKUs asked for (primary-key order). Wholesale tiers, images and proposed images are
  written only under their product's lock, so they need no lock of their own;
- **SKUs alone** (``lock_skus``): primary-key order, without their products. A flash sale's
  scheduling or change takes them (after the sale's row) to serialise its "no other sale of
  this SKU overlaps" check; nothing that holds a SKU ever waits for a product (products come
  first), so taking the children without the parent cannot close a cycle;
- **stock rows** (``lock_stock``): primary-key order. They come after every product row in
  the global order; no stock service locks a product.

Call these inside ``transaction.atomic``; the locks last until it ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from catalog.models import SKU, Product, ProductRevision, Stock
from marketplace.locking import for_update


@dataclass
class LockedProduct:
    """The locked rows of one product aggregate (see ``lock_product``)."""

    product: Product
    revision: ProductRevision | None
    skus: dict[int, SKU] = field(default_factory=dict)

    def sku_by_code(self, code: str) -> SKU | None:
        return next((sku for sku in self.skus.values() if sku.code == code), None)


def lock_product(
    product_id: int,
    *,
    revision: bool = True,
    sku_ids: Iterable[int] = (),
    sku_codes: Iterable[str] = (),
    all_skus: bool = False,
) -> LockedProduct:
    """Lock product ``product_id``, then (``revision``) its pending revision, then its SKUs
    named by id or code (or ``all_skus``), in primary-key order.

    Only SKUs of this product are locked: a code used by another product is simply not in
    ``skus`` (the caller refuses it without touching the other product's rows). Raises
    ``Product.DoesNotExist`` for an unknown product.
    """
    product = for_update(Product.objects).select_related("merchant").get(pk=product_id)
    pending = None
    if revision:
        pending = (
            for_update(ProductRevision.objects)
            .filter(product_id=product_id, status=ProductRevision.Status.PENDING)
            .first()
        )
    ids, codes = {int(pk) for pk in sku_ids}, {str(code) for code in sku_codes}
    skus: dict[int, SKU] = {}
    if all_skus or ids or codes:
        rows = for_update(SKU.objects).filter(product_id=product_id)
        if not all_skus:
            rows = rows.filter(Q(pk__in=ids) | Q(code__in=codes))
        skus = {sku.pk: sku for sku in rows.order_by("pk")}
    return LockedProduct(product=product, revision=pending, skus=skus)


def lock_skus(queryset, sku_ids: Iterable[int]) -> dict[int, SKU]:
    """Lock the SKUs ``sku_ids`` of ``queryset`` (a merchant's, say: another merchant's SKU is
    simply not locked) in primary-key order; returns those that exist, by id."""
    ids = sorted({int(pk) for pk in sku_ids})
    return {sku.pk: sku for sku in for_update(queryset).filter(pk__in=ids).order_by("pk")}


def lock_stock(stock_ids: Iterable[int]) -> dict[int, Stock]:
    """Lock the stock rows ``stock_ids`` (FOR UPDATE, primary-key order) for this transaction.

    The one place stock rows are locked: always the same order, so concurrent writers queue
    instead of deadlocking. Raises ``Stock.DoesNotExist`` naming rows that do not exist.
    """
    ids = sorted({int(pk) for pk in stock_ids})
    rows = (
        for_update(Stock.objects)
        .select_related("sku", "warehouse")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    locked = {row.pk: row for row in rows}
    missing = [pk for pk in ids if pk not in locked]
    if missing:
        raise Stock.DoesNotExist(f"stock rows {missing} do not exist")
    return locked
