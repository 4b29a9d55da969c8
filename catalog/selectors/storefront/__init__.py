"""Storefront reads: what a shopper may see, shaped for pages and the public API.

Visible to shoppers == ``Product.status`` approved AND the product's merchant approved.

One module per concern, and this package is the door: views, the public API and forms import
``catalog.selectors.storefront`` (``from catalog.selectors import storefront as sf``), never
the modules below, so a module can be reshaped without touching its readers.

| module | holds |
| --- | --- |
| ``cache`` | key shapes, lifetimes (TTLs), the process-memory copy of small reads |
| ``refs`` | visibility, the category tree, brands, merchant/brand name references |
| ``listing`` | filters, sorted pages of ids, product cards, facets |
| ``search`` | query parsing and the one search selector |
| ``detail`` | the product page's cached part |
| ``live_stock`` | stock read on every view (cached per SKU, forgotten by every write) |

Every read here has a constant number of queries whatever the page size (prefetching), and
the expensive ones are cached in the Django cache (Redis in production) under keys that
carry one *storefront version* (``marketplace.cacheversion``, in the kernel so any app can
bump it). Writes to catalog rows bump the version (``catalog/signals.py``); anything that
changes what shoppers see without saving a catalog row (a merchant suspended, stock changed
with ``update()``) calls ``storefront_cache_bump()``. Every entry also has a short TTL, the
bound on staleness for anything missed. docs/STOREFRONT.md, "Caching", lists the keys.
"""

from marketplace.cacheversion import (
    storefront_cache_bump,
    storefront_cache_version,
    storefront_version,
)

from .cache import (
    CARD_TTL,
    DETAIL_TTL,
    LIST_TTL,
    MAX_CACHED_IDS,
    PAGE_SIZE,
    SEARCH_TTL,
    TREE_TTL,
    fragment_cache_key,
)
from .detail import ProductDetail, SkuView, detail_cache_key, product_detail
from .listing import (
    IdPage,
    ListingFilters,
    ProductCard,
    Sort,
    listing_cache_key,
    listing_facets,
    listing_product_ids,
    product_cards,
)
from .live_stock import (
    WAREHOUSE_TTL,
    Availability,
    StockView,
    availability_state,
    product_stock,
    sku_stock,
    stock_forget,
    stock_key,
    stock_keys,
    stock_mark_key,
)
from .refs import (
    CategoryNode,
    CategoryTree,
    NamedRef,
    brands_active,
    category_tree,
    merchant_public,
    products_visible,
)
from .search import (
    NameMatches,
    Term,
    normalise_query,
    query_terms,
    search_cache_key,
    search_product_ids,
)

# The storefront version, as the views use it (the number itself is the kernel's).
version_pinned = storefront_version.pinned
pin_version = storefront_version.pin
read_versioned = storefront_version.read_with

__all__ = [
    "CARD_TTL",
    "DETAIL_TTL",
    "LIST_TTL",
    "MAX_CACHED_IDS",
    "PAGE_SIZE",
    "SEARCH_TTL",
    "TREE_TTL",
    "WAREHOUSE_TTL",
    "Availability",
    "CategoryNode",
    "CategoryTree",
    "IdPage",
    "ListingFilters",
    "NameMatches",
    "NamedRef",
    "ProductCard",
    "ProductDetail",
    "SkuView",
    "Sort",
    "StockView",
    "Term",
    "availability_state",
    "brands_active",
    "category_tree",
    "detail_cache_key",
    "fragment_cache_key",
    "listing_cache_key",
    "listing_facets",
    "listing_product_ids",
    "merchant_public",
    "normalise_query",
    "pin_version",
    "product_cards",
    "product_detail",
    "product_stock",
    "products_visible",
    "query_terms",
    "read_versioned",
    "search_cache_key",
    "search_product_ids",
    "sku_stock",
    "stock_forget",
    "stock_key",
    "stock_keys",
    "stock_mark_key",
    "storefront_cache_bump",
    "storefront_cache_version",
    "version_pinned",
]
