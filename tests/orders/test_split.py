"""The split plan, rule by rule (orders/split.py; docs/ORDERS.md, "The split").

Pure: no database. Warehouses: B1, B2 bonded in China; O1 overseas in New Zealand, O2 in
Japan; D1 domestic in China; X an overseas warehouse no route leaves from.
"""

from __future__ import annotations

import pytest

from marketplace.clearance import ClearanceMode, Refusal
from orders.split import Place, PlanLine, Short, Unshippable, available_to, plan

PLACES = {
    1: Place(1, "bonded", "CN", True),  # B1
    2: Place(2, "bonded", "CN", True),  # B2
    3: Place(3, "overseas", "NZ", True),  # O1
    4: Place(4, "overseas", "JP", True),  # O2
    5: Place(5, "domestic", "CN", True),  # D1
    6: Place(6, "overseas", "NZ", False),  # X: no route to the destination
}
ABROAD = {  # the same warehouses seen from a destination abroad (only China ships out)
    **{k: Place(p.id, p.kind, p.country, p.country == "CN") for k, p in PLACES.items()},
}
ALL = ("bonded", "direct", "general_trade")
B, D, G, PP = (
    ClearanceMode.BONDED,
    ClearanceMode.DIRECT,
    ClearanceMode.GENERAL_TRADE,
    ClearanceMode.PERSONAL_PARCEL,
)


def line(line_id, quantity, stock, *, merchant=1, modes=ALL, kind="third_party"):
    return PlanLine(line_id, merchant, kind, tuple(modes), quantity, tuple(stock.items()))


def groups_of(result):
    """{(merchant, mode, warehouse): {line: quantity}} — what a shopper sees as orders."""
    return {
        (g.merchant_id, g.mode, g.warehouse_id): {a.line_id: a.quantity for a in g.allocations}
        for g in result.groups
    }


CASES = [
    pytest.param(
        "CN",
        [line(1, 2, {3: 5, 1: 5, 5: 5})],
        {(1, B, 1): {1: 2}},
        id="china: bonded stock first",
    ),
    pytest.param(
        "CN",
        [line(1, 2, {3: 5, 5: 5})],
        {(1, D, 3): {1: 2}},
        id="china: overseas before domestic",
    ),
    pytest.param(
        "CN",
        [line(1, 2, {5: 5})],
        {(1, G, 5): {1: 2}},
        id="china: domestic last (general trade)",
    ),
    pytest.param(
        "CN",
        [line(1, 4, {1: 3, 3: 9})],
        {(1, D, 3): {1: 4}},
        id="china: a whole line from one warehouse beats splitting a better rank",
    ),
    pytest.param(
        "CN",
        [line(1, 1, {1: 5, 2: 5}), line(2, 1, {2: 5})],
        {(1, B, 2): {1: 1, 2: 1}},
        id="fewest parcels: one warehouse covering the merchant's lines",
    ),
    pytest.param(
        "CN",
        [line(1, 1, {1: 5, 3: 5}), line(2, 1, {3: 5})],
        {(1, B, 1): {1: 1}, (1, D, 3): {2: 1}},
        id="rank before parcel count: bonded stays first even if it costs a parcel",
    ),
    pytest.param(
        "CN",
        [line(1, 1, {1: 5}, merchant=1), line(2, 1, {1: 5}, merchant=2)],
        {(1, B, 1): {1: 1}, (2, B, 1): {2: 1}},
        id="one order per merchant, even from the same warehouse",
    ),
    pytest.param(
        "CN",
        [line(1, 1, {3: 5}, modes=("direct",)), line(2, 1, {3: 5}, modes=("personal_parcel",))],
        {(1, D, 3): {1: 1}, (1, PP, 3): {2: 1}},
        id="one order per clearance mode, even from the same warehouse",
    ),
    pytest.param(
        "CN",
        [line(1, 8, {1: 5, 2: 3, 3: 10})],
        {(1, D, 3): {1: 8}},
        id="no split when one warehouse holds the whole quantity",
    ),
    pytest.param(
        "CN",
        [line(1, 8, {1: 5, 2: 2, 3: 3})],
        {(1, B, 1): {1: 5}, (1, B, 2): {1: 2}, (1, D, 3): {1: 1}},
        id="split only when no single warehouse holds it: rank, then most units",
    ),
    pytest.param(
        "CN",
        [line(1, 2, {1: 5}, modes=("direct",)), line(2, 1, {3: 1})],
        {(1, D, 3): {2: 1}},
        id="clearance refusal rules a warehouse out (bonded stock, SKU not bonded)",
    ),
    pytest.param(
        "CN",
        [line(1, 2, {6: 5, 4: 5})],
        {(1, D, 4): {1: 2}},
        id="a warehouse with no route to the destination is left out",
    ),
    pytest.param(
        "CN",
        [line(1, 2, {1: 0, 3: 4})],
        {(1, D, 3): {1: 2}},
        id="a warehouse with nothing available is left out",
    ),
    pytest.param(
        "FR",
        [line(1, 2, {1: 5, 3: 5, 5: 5})],
        {(1, ClearanceMode.EXPORT_RETAIL, 5): {1: 2}},
        id="abroad: only warehouses that can ship there (China, not bonded)",
    ),
    pytest.param(
        "CN",
        [line(1, 1, {3: 5}, modes=("personal_parcel", "direct"), kind="purchasing_agent")],
        {(1, PP, 3): {1: 1}},
        id="purchasing agent ships personal parcels",
    ),
]


@pytest.mark.parametrize(("destination", "lines", "expected"), CASES)
def test_allocation_and_grouping(destination, lines, expected):
    places = PLACES if destination == "CN" else ABROAD
    result = plan(lines, places, destination)
    assert groups_of(result) == expected
    # every allocated line's units add up to its quantity
    for planned in lines:
        if planned.line_id in result.by_line:
            assert sum(a.quantity for a in result.by_line[planned.line_id]) == planned.quantity


def test_short_line_is_not_allocated_and_says_how_many_can_ship():
    result = plan([line(1, 9, {1: 5, 3: 3, 6: 50})], PLACES, "CN")
    assert result.groups == ()
    assert result.short == (Short(1, 8),)  # X's 50 cannot ship to China
    assert available_to(line(1, 1, {1: 5, 3: 3, 6: 50}), PLACES, "CN") == 8


def test_unshippable_line_says_why():
    bonded_abroad = plan([line(1, 1, {1: 5})], ABROAD, "FR")
    assert bonded_abroad.unshippable == (Unshippable(1, Refusal.BONDED_STAYS_IN_CHINA, True),)
    no_stock = plan([line(2, 1, {3: 0})], PLACES, "CN")
    assert no_stock.unshippable == (Unshippable(2, None, False),)


def test_other_lines_still_planned_beside_a_short_one():
    result = plan([line(1, 9, {1: 1}), line(2, 1, {1: 4})], PLACES, "CN")
    assert groups_of(result) == {(1, B, 1): {2: 1}}
    assert [s.line_id for s in result.short] == [1]
