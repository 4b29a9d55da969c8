"""Offers that apps above the catalog show on the product page (a flash sale's price,
countdown and "Buy now"): the catalog owns this hook, the app registers into it from its
``AppConfig.ready`` (``marketing`` does), so the catalog imports nothing above it.

An offer is a live slot of the product page (``offers``): its HTML is made on every
response, cached page or not (``catalog.views.storefront.product_live``), so a state that
changes with the clock (a sale starting or ending) is never served stale from the page
cache. ``keys(sku_ids)`` names the cache entries the provider reads, read along with the
visitor's session data in one round trip (``pagecache.read_along``); ``live(sku_ids,
request, prefetched)`` returns the slot's HTML ("" for none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SLOT = "offers"


@dataclass(frozen=True)
class OfferProvider:
    keys: Callable[[list[int]], list[str]]
    live: Callable[..., str]


_providers: list[OfferProvider] = []


def register_product_offers(*, keys, live) -> None:
    """Add a provider (idempotent: ``ready`` may run twice in tests)."""
    provider = OfferProvider(keys=keys, live=live)
    if provider not in _providers:
        _providers.append(provider)


def offer_keys(sku_ids: list[int]) -> list[str]:
    return [key for provider in _providers for key in provider.keys(sku_ids)]


def offer_html(sku_ids: list[int], request, prefetched: dict | None) -> str:
    return "".join(provider.live(sku_ids, request, prefetched) for provider in _providers)
