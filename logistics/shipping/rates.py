"""Rate arithmetic, pure and typed (no Django): parcel weights and the price of a weight.

The rules (docs/SHIPPING.md):

- actual weight = Σ quantity × unit weight;
- volumetric weight = Σ quantity × length × width × height (cm³) ÷ the method's divisor
  (cm³ per kg); a method without a divisor charges actual weight only;
- chargeable weight = the heavier of the two, rounded *up* to the gram;
- price = first-weight price, plus one step price for every additional step (or part of a
  step: 0.51 kg past the first weight with 0.5 kg steps is two steps), and never less
  than the minimum charge.

Every amount in a rate table already has the currency's minor unit (the services check it),
so the price is exact: no rounding happens here. The one rounding of a shipping price is the
conversion into the shopper's currency (``marketplace.money.convert``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

GRAM = Decimal("0.001")
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ParcelLine:
    """One line of a parcel: how many units, and one unit's gross weight and outer size."""

    quantity: int
    unit_weight_kg: Decimal
    length_cm: Decimal = ZERO
    width_cm: Decimal = ZERO
    height_cm: Decimal = ZERO

    def __post_init__(self) -> None:
        if not isinstance(self.quantity, int) or self.quantity < 1:
            raise ValueError(f"a parcel line needs a quantity of at least 1, not {self.quantity!r}")
        for name in ("unit_weight_kg", "length_cm", "width_cm", "height_cm"):
            value = getattr(self, name)
            if isinstance(value, float):
                raise TypeError(f"{name} must be a Decimal, not a float")
            value = Decimal(value)
            if not value.is_finite() or value < 0:
                raise ValueError(f"{name} must be zero or more, not {value}")
            object.__setattr__(self, name, value)

    @property
    def volume_cm3(self) -> Decimal:
        return self.quantity * self.length_cm * self.width_cm * self.height_cm


@dataclass(frozen=True, slots=True)
class RateTable:
    """A route's tariff: first weight and its price, additional steps, a minimum charge."""

    first_weight_kg: Decimal
    first_weight_price: Decimal
    step_kg: Decimal
    step_price: Decimal
    minimum_charge: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Weights:
    actual_kg: Decimal
    volumetric_kg: Decimal
    chargeable_kg: Decimal


def up_to_gram(kg: Decimal) -> Decimal:
    return kg.quantize(GRAM, rounding=ROUND_CEILING)


def parcel_weights(lines: Iterable[ParcelLine], divisor: int | None) -> Weights:
    """Actual, volumetric and chargeable weight of a parcel holding ``lines``."""
    lines = list(lines)
    actual = up_to_gram(sum((line.quantity * line.unit_weight_kg for line in lines), ZERO))
    if divisor:
        volume = sum((line.volume_cm3 for line in lines), ZERO)
        volumetric = up_to_gram(volume / Decimal(divisor))
    else:
        volumetric = ZERO
    return Weights(actual, volumetric, max(actual, volumetric))


def additional_steps(table: RateTable, chargeable_kg: Decimal) -> int:
    """How many additional steps ``chargeable_kg`` costs past the first weight (a started
    step counts whole)."""
    extra = chargeable_kg - table.first_weight_kg
    if extra <= 0:
        return 0
    return int((extra / table.step_kg).to_integral_value(rounding=ROUND_CEILING))


def rate_price(table: RateTable, chargeable_kg: Decimal) -> Decimal:
    """The price of shipping ``chargeable_kg`` on ``table``, in the table's currency."""
    price = table.first_weight_price + additional_steps(table, chargeable_kg) * table.step_price
    return max(price, table.minimum_charge)
