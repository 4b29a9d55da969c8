"""Clearance modes (通关模式): the one vocabulary for how goods cross a border, and the one rule
for which mode a SKU ships under from a warehouse to a destination.

Standard library only, so that every layer can import it: the Django-free duty engine
(``customs/engine``), the customs message library (``customs/ceb``), merchants (the modes an
applicant intends to use), catalog (the modes a SKU is allowed) and, next, checkout.
docs/ARCHITECTURE.md ("Clearance modes") shows the table ``clearance_for`` implements and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

CHINA = "CN"


class ClearanceMode(StrEnum):
    """How the goods cross the border; with the destination it selects the duty regime."""

    BONDED = "bonded"  # 1210 保税备货: cross-border retail import from a bonded warehouse
    DIRECT = "direct"  # 9610 直购进口: cross-border retail import shipped from abroad per order
    PERSONAL_PARCEL = "personal_parcel"  # 行邮: personal parcel, postal tax; not a CEB message
    GENERAL_TRADE = "general_trade"  # 0110 一般贸易: imported in bulk by a company, duty paid
    # Outbound B2C sales from China to any other country (9610 export). One mode for every
    # foreign destination: the destination's own rules decide the rest.
    EXPORT_RETAIL = "export_retail"

    @property
    def customs_code(self) -> str:
        """The supervision-mode code (监管方式, ``tradeMode`` of a CEB message); empty for a
        personal parcel, which travels in the personal-articles channel instead."""
        return CUSTOMS_CODES[self]


CUSTOMS_CODES: dict[ClearanceMode, str] = {
    ClearanceMode.BONDED: "1210",
    ClearanceMode.DIRECT: "9610",
    ClearanceMode.PERSONAL_PARCEL: "",
    ClearanceMode.GENERAL_TRADE: "0110",
    ClearanceMode.EXPORT_RETAIL: "9610",
}

# The modes a merchant may allow a SKU (and name in its application), in the order they are
# listed. Export retail is not among them: any SKU stocked in China may be sold abroad.
SKU_MODES: tuple[ClearanceMode, ...] = (
    ClearanceMode.BONDED,
    ClearanceMode.DIRECT,
    ClearanceMode.PERSONAL_PARCEL,
    ClearanceMode.GENERAL_TRADE,
)

# The values of ``logistics.Warehouse.Kind`` and ``merchants.Merchant.Kind`` this rule reads
# (plain strings: the kernel imports no app; tests/marketplace/test_clearance.py proves they
# are the apps' values).
BONDED_WAREHOUSE = "bonded"
PURCHASING_AGENT = "purchasing_agent"


class Refusal(StrEnum):
    """Why a SKU cannot ship from a warehouse to a destination."""

    NOT_BONDED = "not_bonded"  # bonded stock, but the SKU is not allowed 1210 (no record)
    BONDED_STAYS_IN_CHINA = "bonded_stays_in_china"  # bonded stock to a destination abroad
    NO_IMPORT_MODE = "no_import_mode"  # stock abroad, SKU allows neither 9610 nor a parcel
    NOT_A_PERSONAL_PARCEL = "not_a_personal_parcel"  # a purchasing agent's SKU, no parcel mode
    AGENT_SHIPS_FROM_ABROAD = "agent_ships_from_abroad"  # a purchasing agent's stock in China
    NOT_GENERAL_TRADE = "not_general_trade"  # stock in China to China, not duty-paid goods
    NOT_THROUGH_CHINA = "not_through_china"  # stock abroad to a destination abroad


@dataclass(frozen=True, slots=True)
class Clearance:
    """The mode a shipment clears under, or why it cannot ship (exactly one is set)."""

    mode: ClearanceMode | None = None
    refusal: Refusal | None = None

    def __bool__(self) -> bool:
        return self.mode is not None


def clearance_for(
    *,
    warehouse_kind: str,
    warehouse_country: str,
    destination: str,
    sku_modes: Iterable[str],
    merchant_kind: str,
) -> Clearance:
    """The clearance mode of a SKU allowed ``sku_modes`` (values of ``SKU_MODES``), sold by
    a merchant of ``merchant_kind`` and shipped from a warehouse of ``warehouse_kind`` in
    ``warehouse_country`` to ``destination`` (ISO 3166-1 alpha-2); or the refusal.

    Where the goods lie decides first: in a bonded zone (a bonded warehouse), in China
    outside one (duty-paid or made there), or abroad; a warehouse's country, not its kind's
    name, says whether it is abroad.
    """
    modes = {ClearanceMode(mode) for mode in sku_modes}
    agent = merchant_kind == PURCHASING_AGENT
    to_china = destination.upper() == CHINA
    if warehouse_kind == BONDED_WAREHOUSE:
        if agent:
            return Clearance(refusal=Refusal.AGENT_SHIPS_FROM_ABROAD)
        if not to_china:
            return Clearance(refusal=Refusal.BONDED_STAYS_IN_CHINA)
        if ClearanceMode.BONDED not in modes:
            return Clearance(refusal=Refusal.NOT_BONDED)
        return Clearance(ClearanceMode.BONDED)
    if warehouse_country.upper() == CHINA:
        if agent:
            return Clearance(refusal=Refusal.AGENT_SHIPS_FROM_ABROAD)
        if not to_china:
            return Clearance(ClearanceMode.EXPORT_RETAIL)
        if ClearanceMode.GENERAL_TRADE not in modes:
            return Clearance(refusal=Refusal.NOT_GENERAL_TRADE)
        return Clearance(ClearanceMode.GENERAL_TRADE)
    if not to_china:
        return Clearance(refusal=Refusal.NOT_THROUGH_CHINA)
    if agent:
        if ClearanceMode.PERSONAL_PARCEL not in modes:
            return Clearance(refusal=Refusal.NOT_A_PERSONAL_PARCEL)
        return Clearance(ClearanceMode.PERSONAL_PARCEL)
    for mode in (ClearanceMode.DIRECT, ClearanceMode.PERSONAL_PARCEL):
        if mode in modes:
            return Clearance(mode)
    return Clearance(refusal=Refusal.NO_IMPORT_MODE)


def shippable_modes(
    *,
    places: Iterable[tuple[str, str]],
    destination: str,
    sku_modes: Iterable[str],
    merchant_kind: str,
) -> list[ClearanceMode]:
    """The modes a SKU stocked in ``places`` (``(warehouse kind, country)`` pairs) ships
    under to ``destination``, in ``ClearanceMode`` order: what a shopper may be promised."""
    sku_modes = tuple(sku_modes)
    found = {
        clearance_for(
            warehouse_kind=kind,
            warehouse_country=country,
            destination=destination,
            sku_modes=sku_modes,
            merchant_kind=merchant_kind,
        ).mode
        for kind, country in places
    }
    return [mode for mode in ClearanceMode if mode in found]
