"""Rate arithmetic: first weight, additional steps (a started step counts whole),
volumetric against actual weight, the minimum charge, and delivery dates."""

from datetime import date
from decimal import Decimal as D

import pytest

from logistics.shipping.rates import (
    ParcelLine,
    RateTable,
    additional_steps,
    parcel_weights,
    rate_price,
)
from logistics.shipping.selectors import add_days

# First 0.5 kg costs 30.00, each further 0.5 kg (or part of it) 7.00.
DHL_LIKE = RateTable(D("0.5"), D("30.00"), D("0.5"), D("7.00"))
# A dedicated line billed per 100 g with a 30.00 minimum.
LINE_LIKE = RateTable(D("0.1"), D("20.00"), D("0.1"), D("8.50"), minimum_charge=D("30.00"))


@pytest.mark.parametrize(
    ("kg", "steps", "price"),
    [
        ("0.200", 0, "30.00"),  # under the first weight
        ("0.500", 0, "30.00"),  # exactly the first weight
        ("0.501", 1, "37.00"),  # one gram over: a whole step
        ("1.000", 1, "37.00"),  # exactly one step over
        ("1.001", 2, "44.00"),  # a started second step counts whole
        ("2.300", 4, "58.00"),  # 1.8 kg past the first weight = 3.6 steps -> 4
    ],
)
def test_first_weight_then_whole_steps(kg, steps, price):
    assert additional_steps(DHL_LIKE, D(kg)) == steps
    assert rate_price(DHL_LIKE, D(kg)) == D(price)


def test_the_minimum_charge_lifts_small_parcels_only():
    assert rate_price(LINE_LIKE, D("0.100")) == D("30.00")  # 20.00 < minimum
    assert rate_price(LINE_LIKE, D("0.200")) == D("30.00")  # 28.50 < minimum
    assert rate_price(LINE_LIKE, D("0.300")) == D("37.00")  # 20 + 2 × 8.50 above it


def test_volumetric_weight_is_charged_when_the_parcel_is_bulky():
    pillow = ParcelLine(1, D("1.2"), D("40"), D("30"), D("20"))  # 24,000 cm³
    weights = parcel_weights([pillow], divisor=5000)
    assert (weights.actual_kg, weights.volumetric_kg, weights.chargeable_kg) == (
        D("1.200"),
        D("4.800"),
        D("4.800"),
    )
    # The same parcel on a 6000 divisor weighs 4 kg by volume, still above actual.
    assert parcel_weights([pillow], divisor=6000).chargeable_kg == D("4.000")


def test_actual_weight_is_charged_when_the_parcel_is_dense():
    wine = ParcelLine(2, D("1.6"), D("10"), D("10"), D("35"))  # 7,000 cm³ -> 1.4 kg at 5000
    weights = parcel_weights([wine], divisor=5000)
    assert (weights.actual_kg, weights.volumetric_kg, weights.chargeable_kg) == (
        D("3.200"),
        D("1.400"),
        D("3.200"),
    )


def test_a_method_without_a_divisor_charges_actual_weight_only():
    pillow = ParcelLine(1, D("1.2"), D("40"), D("30"), D("20"))
    weights = parcel_weights([pillow], divisor=None)
    assert (weights.volumetric_kg, weights.chargeable_kg) == (D("0"), D("1.200"))


def test_lines_add_up_with_their_quantities_and_weights_round_up_to_the_gram():
    lines = [
        ParcelLine(3, D("0.2504")),  # 0.7512 kg
        ParcelLine(1, D("0.1"), D("10"), D("10"), D("10")),  # 1,000 cm³
    ]
    weights = parcel_weights(lines, divisor=5000)
    assert weights.actual_kg == D("0.852")  # 0.8512 rounded up to the gram
    assert weights.volumetric_kg == D("0.200")


def test_sizes_default_to_zero_so_unknown_dimensions_cost_nothing_extra():
    assert parcel_weights([ParcelLine(1, D("0.3"))], divisor=5000).chargeable_kg == D("0.300")


@pytest.mark.parametrize(
    "bad",
    [
        {"quantity": 0, "unit_weight_kg": D("1")},
        {"quantity": 1, "unit_weight_kg": D("-0.1")},
        {"quantity": 2, "unit_weight_kg": 0.5},
        {"quantity": 1, "unit_weight_kg": D("1"), "length_cm": D("NaN")},
    ],
)
def test_a_parcel_line_refuses_nonsense(bad):
    with pytest.raises((ValueError, TypeError)):
        ParcelLine(**bad)


def test_calendar_days_count_every_day():
    assert add_days(date(2026, 12, 4), 3, working_days=False) == date(2026, 12, 7)


def test_working_days_skip_the_weekend():
    friday, saturday = date(2026, 12, 4), date(2026, 12, 5)
    assert add_days(friday, 1, working_days=True) == date(2026, 12, 7)  # Monday
    assert add_days(friday, 5, working_days=True) == date(2026, 12, 11)
    assert add_days(saturday, 1, working_days=True) == date(2026, 12, 7)
    assert add_days(friday, 0, working_days=True) == friday
