"""The unit price a shopper pays for a SKU at a quantity: the wholesale tier that quantity
reaches, else the SKU's price. The one place the tier rule is applied (the product page shows
the tiers; the cart and checkout price lines with ``tier_unit_price``)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal


def tier_unit_price(price: Decimal, tiers: Iterable[tuple[int, Decimal]], quantity: int) -> Decimal:
    """The unit price of ``quantity`` units: the price of the largest tier whose
    ``min_quantity`` is at most ``quantity`` (tiers are ``(min_quantity, unit_price)``
    pairs, in any order), or ``price`` when no tier is reached."""
    reached = [(minimum, unit) for minimum, unit in tiers if minimum <= quantity]
    return max(reached)[1] if reached else price
