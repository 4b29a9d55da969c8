"""Signal wiring inside the catalog app (the house rule is no signals *between* apps).

Saving or deleting a catalog row shoppers see bumps the storefront version
(``marketplace.cacheversion``), so every cached storefront read, fragment and page made from
the old rows is stale: at once, and again when the transaction commits (a reader on another
connection may have cached the old rows under the new number in between). ``CatalogConfig.ready`` calls ``connect()`` so web, worker and shell
processes all invalidate. Stock counts do not bump the version: a saved or deleted stock row
forgets its SKU's cached stock (``stock_forget``, as the stock services do after their bulk
writes), and listings' "in stock" filter lives with ``LIST_TTL``. Where stock lies is: the stock services
bump the version when a SKU gets a stock row in a new warehouse, and logistics when a
warehouse's kind, country or active flag changes (the clearance modes shown follow it).
"""

from django.db.models.signals import post_delete, post_save

from catalog.models import SKU, Brand, Category, Product, ProductImage, Stock, WholesaleTier
from catalog.selectors.storefront.live_stock import stock_forget
from marketplace.cacheversion import storefront_version

STOREFRONT_WATCHED = (Category, Brand, Product, SKU, ProductImage, WholesaleTier)


def _bump_on_change(sender, **kwargs) -> None:
    storefront_version.bump_for_write()


def _forget_stock(sender, instance, **kwargs) -> None:
    stock_forget([instance.sku_id])


def connect() -> None:
    """Connect the storefront-cache receivers (idempotent: each has a ``dispatch_uid``)."""
    for model in STOREFRONT_WATCHED:
        uid = f"storefront-cache-{model._meta.label_lower}"
        post_save.connect(_bump_on_change, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_bump_on_change, sender=model, dispatch_uid=uid + "-delete")
    post_save.connect(_forget_stock, sender=Stock, dispatch_uid="live-stock-save")
    post_delete.connect(_forget_stock, sender=Stock, dispatch_uid="live-stock-delete")
