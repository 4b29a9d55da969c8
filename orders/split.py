"""The split plan: which warehouse each cart line ships from, and which lines become one order.

Pure Python (no Django, no database): the selectors (``orders.selectors.plan``) read the cart,
the stock and the shipping network and hand plain values in. docs/ORDERS.md, "The split",
states the rules; ``tests/orders/test_split.py`` has one row per rule.

**Allocation** (per merchant, because a merchant's lines are packed together):

1. A warehouse *can take* a line when it holds some of the SKU (available = on hand −
   reserved > 0), has a shipping route to the destination (``reaches``), and the SKU clears
   from it to the destination (``marketplace.clearance.clearance_for``: the one rule for
   modes; a refusal there rules the warehouse out).
2. Each warehouse has a *rank*: to China bonded stock first, then overseas, then domestic
   (``CHINA_ORDER``); to any other destination every warehouse that can take the line ranks
   the same.
3. A line goes whole to one warehouse when one can hold its whole quantity: among those of
   the best rank for that line. Among equally ranked warehouses the merchant's lines are
   gathered in as few warehouses as possible (greedy: the warehouse that takes the most of
   the merchant's waiting lines first; ties by rank, then warehouse id).
4. Only a line no single warehouse can hold is split: its units come from the warehouses
   that can take it, best rank first, then the one holding most, then by id.
5. A line whose warehouses together hold less than its quantity is not allocated
   (``Short``), nor one that no warehouse can take (``Unshippable``, with why).

**Grouping**: one future order per merchant × clearance mode × origin warehouse.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from marketplace.clearance import CHINA, ClearanceMode, Refusal, clearance_for

# The order warehouse kinds are used in for a China destination (values of
# ``logistics.Warehouse.Kind``): bonded stock is cleared and delivered fastest, goods abroad
# come by direct mail, stock in China outside a bonded zone last (it needs duty-paid goods).
CHINA_ORDER: tuple[str, ...] = ("bonded", "overseas", "domestic")


@dataclass(frozen=True, slots=True)
class Place:
    """A warehouse as the plan sees it."""

    id: int
    kind: str
    country: str
    reaches: bool  # a shipping route serves the destination from it


@dataclass(frozen=True, slots=True)
class PlanLine:
    """A cart line to allocate: its SKU's modes, its merchant and where its stock is."""

    line_id: int
    merchant_id: int
    merchant_kind: str
    sku_modes: tuple[str, ...]
    quantity: int
    stock: tuple[tuple[int, int], ...]  # (warehouse id, available units)


@dataclass(frozen=True, slots=True)
class Allocation:
    line_id: int
    warehouse_id: int
    quantity: int
    mode: ClearanceMode


@dataclass(frozen=True, slots=True)
class Group:
    """One future order: a merchant's goods of one clearance mode from one warehouse."""

    merchant_id: int
    mode: ClearanceMode
    warehouse_id: int
    allocations: tuple[Allocation, ...]


@dataclass(frozen=True, slots=True)
class Unshippable:
    """No warehouse can take the line; ``refusal`` is the clearance rule's reason when one
    was the obstacle, else None (no stock, or no route to the destination)."""

    line_id: int
    refusal: Refusal | None
    has_stock: bool


@dataclass(frozen=True, slots=True)
class Short:
    """The warehouses that can take the line hold only ``available`` of its units."""

    line_id: int
    available: int


@dataclass(frozen=True)
class Plan:
    groups: tuple[Group, ...]
    unshippable: tuple[Unshippable, ...] = ()
    short: tuple[Short, ...] = ()
    by_line: Mapping[int, tuple[Allocation, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Candidate:
    place: Place
    available: int
    mode: ClearanceMode
    rank: int


def rank_of(kind: str, destination: str) -> int:
    """The rule-2 rank of a warehouse kind for ``destination`` (lower is preferred)."""
    if destination.upper() != CHINA:
        return 0
    return CHINA_ORDER.index(kind) if kind in CHINA_ORDER else len(CHINA_ORDER)


def candidates(
    line: PlanLine, places: Mapping[int, Place], destination: str
) -> tuple[list[Candidate], Refusal | None]:
    """The warehouses that can take ``line`` (rule 1), and the first clearance refusal met."""
    found: list[Candidate] = []
    refusal: Refusal | None = None
    for warehouse_id, available in line.stock:
        place = places.get(warehouse_id)
        if place is None or available <= 0:
            continue
        clearance = clearance_for(
            warehouse_kind=place.kind,
            warehouse_country=place.country,
            destination=destination,
            sku_modes=line.sku_modes,
            merchant_kind=line.merchant_kind,
        )
        if not clearance:
            refusal = refusal or clearance.refusal
            continue
        if not place.reaches:
            continue
        found.append(Candidate(place, available, clearance.mode, rank_of(place.kind, destination)))
    return found, refusal


def available_to(line: PlanLine, places: Mapping[int, Place], destination: str) -> int:
    """Units of ``line``'s SKU the warehouses that can take it hold together."""
    return sum(c.available for c in candidates(line, places, destination)[0])


def plan(lines: Iterable[PlanLine], places: Mapping[int, Place], destination: str) -> Plan:
    """Allocate ``lines`` and group them into future orders (see the module docstring)."""
    unshippable: list[Unshippable] = []
    short: list[Short] = []
    by_merchant: dict[int, list[tuple[PlanLine, list[Candidate]]]] = defaultdict(list)
    for line in lines:
        found, refusal = candidates(line, places, destination)
        if not found:
            has_stock = any(units > 0 for _w, units in line.stock)
            unshippable.append(Unshippable(line.line_id, refusal, has_stock))
            continue
        total = sum(c.available for c in found)
        if total < line.quantity:
            short.append(Short(line.line_id, total))
            continue
        by_merchant[line.merchant_id].append((line, found))
    groups: dict[tuple[int, str, int], list[Allocation]] = defaultdict(list)
    by_line: dict[int, list[Allocation]] = defaultdict(list)
    for merchant_id, merchant_lines in by_merchant.items():
        for allocation in _allocate_merchant(merchant_lines):
            key = (merchant_id, allocation.mode, allocation.warehouse_id)
            groups[key].append(allocation)
            by_line[allocation.line_id].append(allocation)
    return Plan(
        groups=tuple(
            Group(merchant_id, ClearanceMode(mode), warehouse_id, tuple(found))
            for (merchant_id, mode, warehouse_id), found in groups.items()
        ),
        unshippable=tuple(unshippable),
        short=tuple(short),
        by_line={line_id: tuple(found) for line_id, found in by_line.items()},
    )


def _allocate_merchant(
    merchant_lines: Sequence[tuple[PlanLine, list[Candidate]]],
) -> list[Allocation]:
    result: list[Allocation] = []
    # rule 3: lines one warehouse can hold whole, each among its best-ranked such warehouses
    whole: dict[int, dict[int, Candidate]] = {}
    lines_by_id: dict[int, PlanLine] = {}
    for line, found in merchant_lines:
        fits = [c for c in found if c.available >= line.quantity]
        if not fits:
            result.extend(_split(line, found))  # rule 4
            continue
        best = min(c.rank for c in fits)
        whole[line.line_id] = {c.place.id: c for c in fits if c.rank == best}
        lines_by_id[line.line_id] = line
    waiting = set(whole)
    while waiting:
        takers: dict[int, list[int]] = defaultdict(list)
        for line_id in sorted(waiting):
            for warehouse_id in whole[line_id]:
                takers[warehouse_id].append(line_id)

        chosen = min(
            takers,
            key=lambda w, takers=takers: (
                -len(takers[w]),
                min(whole[line_id][w].rank for line_id in takers[w]),
                w,
            ),
        )
        for line_id in takers[chosen]:
            candidate = whole[line_id][chosen]
            quantity = lines_by_id[line_id].quantity
            result.append(Allocation(line_id, chosen, quantity, candidate.mode))
            waiting.discard(line_id)
    return result


def _split(line: PlanLine, found: list[Candidate]) -> list[Allocation]:
    left = line.quantity
    parts: list[Allocation] = []
    for c in sorted(found, key=lambda c: (c.rank, -c.available, c.place.id)):
        take = min(left, c.available)
        parts.append(Allocation(line.line_id, c.place.id, take, c.mode))
        left -= take
        if not left:
            break
    return parts
