"""Live stock for the product page and the public API, read on every view.

Each SKU's stock rows are kept in the shared cache (``stock_key``) and forgotten by every write
(``stock_forget``: at once and when the writing transaction commits), so a shopper is not told
"in stock" about goods that just sold out, and a product page served from the page cache costs
cache reads and no query.

A reader that loaded the rows just before a write committed could put the old rows back after
the write forgot them. So each write also leaves a fresh random *mark* per SKU
(``stock_mark_key``, at once and on commit), every reader reads the marks in the same round trip
as the rows, and rows are kept with the mark that was current when they were loaded: rows whose
mark is not the current one are not used (read again). Old rows put back by a slow reader carry
the mark from before the write and are never shown; the rows can therefore be kept long
(``STOCK_TTL``, a bound only for writes that bypass ``stock_forget``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache
from django.db import connection, transaction

from catalog.models import Stock
from logistics.models import Warehouse
from marketplace.localcache import LocalCache

from .detail import ProductDetail


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
    def places(self) -> tuple[tuple[str, str], ...]:
        """Where the product ships from, as a shopper is told it: ``(warehouse kind,
        country)``, each once (two bonded warehouses in China are one "bonded warehouse in
        China"), in warehouse order."""
        return tuple(dict.fromkeys((w["kind"], w["country"]) for w in self.warehouses))

    @property
    def state(self) -> str:
        states = set(self.state_by_sku.values())
        if Availability.IN_STOCK in states:
            return Availability.IN_STOCK
        if Availability.LOW_STOCK in states:
            return Availability.LOW_STOCK
        return Availability.OUT_OF_STOCK


def availability_state(available: int, threshold: int) -> str:
    """What a shopper is told about ``available`` units given the SKU's low-stock threshold."""
    if available <= 0:
        return Availability.OUT_OF_STOCK
    if available <= threshold:
        return Availability.LOW_STOCK
    return Availability.IN_STOCK


def product_stock(detail: ProductDetail) -> StockView:
    """Live availability for the product's SKUs (cache reads; 1 query for what they miss)."""
    return sku_stock([(s.id, s.low_stock_threshold) for s in detail.skus])


# Warehouses are a handful of rows, read on every product view: kept in process memory for
# WAREHOUSE_TTL seconds, so the live stock read is one single-table index scan (a join with
# warehouses cost PostgreSQL four times the CPU). A warehouse switched off may still count
# for that long; one the copy does not know yet makes it read again at once.
WAREHOUSE_TTL = 10.0
_warehouses: LocalCache[dict] = LocalCache(ttl=WAREHOUSE_TTL)


def _warehouse_directory(*, refresh: bool = False) -> dict[int, tuple[str, str, str, bool]]:
    """Every warehouse by id: ``(name, kind, country, is_active)``."""
    return _warehouses.get("all", _load_warehouses, refresh=refresh)


def _load_warehouses() -> dict[int, tuple[str, str, str, bool]]:
    w = Warehouse._meta.get_field
    columns = ", ".join(w(f).column for f in ("id", "name", "kind", "country", "is_active"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {Warehouse._meta.db_table}")  # noqa: S608
        return {row[0]: (row[1], row[2], row[3], bool(row[4])) for row in cursor.fetchall()}


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


# How long a SKU's rows are kept: with the marks, only a write that bypasses ``stock_forget``
# (a queryset ``update`` outside the stock services) can be shown late, by this much at most.
STOCK_TTL = 600
# A mark outlives every copy of the rows loaded before it was left (a reader finishing late
# included): were it to go first, those rows' older mark (or none) would look current again.
MARK_TTL = 2 * STOCK_TTL


def stock_key(sku_id: int) -> str:
    """The cache key of one SKU's stock rows: ``(mark, [(on hand, reserved, warehouse id),
    …])``, the mark being the SKU's ``stock_mark_key`` when the rows were loaded (or None)."""
    return f"catalog:stock:rows:{sku_id}"  # "rows", not "sku": the entries before marks


def stock_mark_key(sku_id: int) -> str:
    """The cache key of one SKU's mark: a random token each stock write of the SKU renews."""
    return f"catalog:stock:mark:{sku_id}"


def stock_keys(sku_ids) -> list[str]:
    """Every cache key ``sku_stock`` reads for ``sku_ids`` (rows and marks), for a caller that
    reads them in its own round trip (``prefetched``)."""
    return [key for sku_id in sku_ids for key in (stock_key(sku_id), stock_mark_key(sku_id))]


def stock_forget(sku_ids) -> None:
    """Forget the cached stock of ``sku_ids``, now and when the transaction commits: every
    write of a stock row calls it (the stock services, and the row's save and delete). Each
    time the SKUs get a new mark, so rows a reader loaded before the commit are never used."""
    ids = set(sku_ids)
    if not ids:
        return

    def forget() -> None:
        cache.delete_many([stock_key(sku_id) for sku_id in ids])
        mark = secrets.token_hex(8)
        cache.set_many({stock_mark_key(sku_id): mark for sku_id in ids}, MARK_TTL)

    forget()
    transaction.on_commit(forget)


def _load_rows(sku_ids: list[int]) -> dict[int, list[tuple[int, int, int]]]:
    """Stock rows of ``sku_ids`` from the database: ``{sku: [(on hand, reserved, warehouse)]}``.

    Plain SQL because it runs whenever a product's stock is not in the cache: building and
    compiling the equivalent ORM query cost several times the CPU of running it. Table and
    column names come from the models, so a rename still reaches it.
    """
    by_sku: dict[int, list[tuple[int, int, int]]] = {sku_id: [] for sku_id in sku_ids}
    with connection.cursor() as cursor:
        cursor.execute(_stock_sql(len(sku_ids)), sku_ids)
        for sku_id, on_hand, reserved, warehouse_id in cursor.fetchall():
            by_sku[sku_id].append((on_hand, reserved, warehouse_id))
    return by_sku


def _stock_rows(sku_ids: list[int], prefetched: dict | None = None) -> list[tuple]:
    """``(sku, on hand, reserved, warehouse id, name, kind, country)`` per stock row of
    ``sku_ids`` in an active warehouse, by warehouse. From the cache (``prefetched``: what a
    caller already read in its own round trip), the database for what it misses."""
    found = dict(prefetched or {})
    keys = stock_keys(sku_ids)
    if not all(key in found for key in keys):  # not all read by the caller (None: missing)
        found.update(dict.fromkeys(keys))
        found.update(cache.get_many(keys))
    cached = {}
    for sku_id in sku_ids:
        entry = found.get(stock_key(sku_id))
        # rows loaded under another mark than the current one may predate a write: not used
        if entry is not None and entry[0] == found.get(stock_mark_key(sku_id)):
            cached[sku_id] = entry[1]
    missing = [sku_id for sku_id in sku_ids if sku_id not in cached]
    if missing:
        loaded = _load_rows(missing)
        entries = {
            stock_key(sku_id): (found.get(stock_mark_key(sku_id)), rows)
            for sku_id, rows in loaded.items()
        }
        cache.set_many(entries, STOCK_TTL)
        cached.update(loaded)
    places = _warehouse_directory()
    if any(w not in places for rows in cached.values() for *_, w in rows):
        places = _warehouse_directory(refresh=True)
    live = []
    for sku_id in sku_ids:
        for on_hand, reserved, warehouse_id in cached[sku_id]:
            name, kind, country, active = places.get(warehouse_id, ("", "", "", False))
            if active:
                live.append((sku_id, on_hand, reserved, warehouse_id, name, kind, country))
    live.sort(key=lambda row: row[3])
    return live


def sku_stock(skus: list[tuple[int, int]], *, prefetched: dict | None = None) -> StockView:
    """Live availability of SKUs given as ``(id, low-stock threshold)`` pairs: what the
    product page needs on every view, even when the rest of the page comes from the page
    cache (``stock_key`` entries, read with ``prefetched`` when a caller already has them)."""
    sku_ids = [sku_id for sku_id, _threshold in skus]
    rows = _stock_rows(sku_ids, prefetched) if sku_ids else ()
    by_sku: dict[int, int] = dict.fromkeys(sku_ids, 0)
    warehouses: dict[int, dict] = {}
    for sku_id, on_hand, reserved, warehouse_id, name, kind, country in rows:
        available = max(on_hand - reserved, 0)
        by_sku[sku_id] += available
        if available > 0 and warehouse_id not in warehouses:
            warehouses[warehouse_id] = {"name": name, "kind": kind, "country": country}
    states = {sku_id: availability_state(by_sku[sku_id], threshold) for sku_id, threshold in skus}
    return StockView(by_sku, states, list(warehouses.values()))
