"""The one clearance rule (``marketplace.clearance.clearance_for``): every row of the table in
docs/ARCHITECTURE.md ("Clearance modes"), read from the document itself so the two cannot
drift, and the vocabulary's agreements with the apps that use it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.models import TRADE_MODE_FLAGS, flags_for, modes_of
from customs.ceb.types import TradeMode
from customs.engine import ClearanceMode as EngineClearanceMode
from logistics.models import Warehouse
from marketplace.clearance import (
    BONDED_WAREHOUSE,
    PURCHASING_AGENT,
    SKU_MODES,
    Clearance,
    ClearanceMode,
    Refusal,
    clearance_for,
    shippable_modes,
)
from merchants.models import Merchant

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "ARCHITECTURE.md"


def table_rows() -> list[tuple]:
    text = ARCHITECTURE.read_text()
    table = text.split("<!-- clearance:start -->")[1].split("<!-- clearance:end -->")[0]
    rows = []
    for line in table.strip().splitlines()[2:]:
        number, stock, to, merchant, modes, result = (c.strip() for c in line.strip("|").split("|"))
        kind, country = re.findall(r"`(\w+)`", stock)
        (outcome,) = re.findall(r"`(\w+)`", result)
        expected = (
            Clearance(refusal=Refusal(outcome))
            if result.startswith("refused")
            else Clearance(ClearanceMode(outcome))
        )
        rows.append(
            pytest.param(
                kind,
                country,
                to.strip("`"),
                merchant.strip("`"),
                re.findall(r"`(\w+)`", modes),
                expected,
                id=f"row {number}",
            )
        )
    return rows


ROWS = table_rows()


@pytest.mark.parametrize(("kind", "country", "destination", "merchant", "modes", "expected"), ROWS)
def test_every_row_of_the_documented_table(kind, country, destination, merchant, modes, expected):
    got = clearance_for(
        warehouse_kind=kind,
        warehouse_country=country,
        destination=destination,
        sku_modes=modes,
        merchant_kind=merchant,
    )

    assert got == expected
    assert bool(got) == (expected.mode is not None)


def test_the_table_reaches_every_mode_and_every_refusal():
    outcomes = {row.values[-1] for row in ROWS}

    assert {c.mode for c in outcomes if c.mode} == set(ClearanceMode)
    assert {c.refusal for c in outcomes if c.refusal} == set(Refusal)
    assert len(ROWS) == 20


def test_shippable_modes_are_the_union_over_where_the_stock_lies():
    lip_balm = {"sku_modes": ["bonded", "direct"], "merchant_kind": "third_party"}

    tokyo_only = shippable_modes(places=[("overseas", "JP")], destination="CN", **lip_balm)
    both = shippable_modes(
        places=[("overseas", "JP"), ("bonded", "CN")], destination="CN", **lip_balm
    )
    nowhere = shippable_modes(places=[], destination="CN", **lip_balm)

    assert tokyo_only == [ClearanceMode.DIRECT]
    assert both == [ClearanceMode.BONDED, ClearanceMode.DIRECT]
    assert nowhere == []


def test_destination_and_country_codes_are_read_in_either_case():
    got = clearance_for(
        warehouse_kind="domestic",
        warehouse_country="cn",
        destination="cn",
        sku_modes=["general_trade"],
        merchant_kind="third_party",
    )

    assert got.mode is ClearanceMode.GENERAL_TRADE


def test_one_vocabulary_for_the_engine_the_messages_and_the_apps():
    assert EngineClearanceMode is ClearanceMode
    assert {m.value: m.customs_code for m in ClearanceMode} == {
        "bonded": "1210",
        "direct": "9610",
        "personal_parcel": "",
        "general_trade": "0110",
        "export_retail": "9610",
    }
    # the message library's tradeMode codes come from it and map back
    assert {code.value: code.mode for code in TradeMode} == {
        "1210": ClearanceMode.BONDED,
        "9610": ClearanceMode.DIRECT,
    }
    assert TradeMode.of("bonded") is TradeMode.BONDED
    # the rule's plain values are the apps' own
    assert Warehouse.Kind.BONDED == BONDED_WAREHOUSE
    assert Merchant.Kind.PURCHASING_AGENT == PURCHASING_AGENT


def test_one_map_between_a_skus_flags_and_its_modes():
    class Flags:
        allow_bonded = True
        allow_direct = False
        allow_personal_parcel = True
        allow_general_trade = False

    assert tuple(TRADE_MODE_FLAGS) == SKU_MODES
    assert modes_of(Flags) == ["bonded", "personal_parcel"]
    assert flags_for(["personal_parcel", "bonded", "teleport"]) == {
        "allow_bonded": True,
        "allow_direct": False,
        "allow_personal_parcel": True,
        "allow_general_trade": False,
    }
