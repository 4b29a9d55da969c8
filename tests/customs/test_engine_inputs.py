"""Allocation of freight and cuts, currency conversion, longest-prefix HS lookup, input
validation and rate-data checks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal, localcontext
from pathlib import Path

import pytest

from customs.engine import (
    FLAG_HIGH_END_COSMETIC,
    FLAG_HIGH_END_WATCH,
    SEED_DIR,
    Calculator,
    ClearanceMode,
    InvalidRequestError,
    LineItem,
    MissingFxRateError,
    NoRegimeError,
    PostalCategoryRow,
    QuoteRequest,
    RateBook,
    RateBookError,
    RateRow,
    RegimeRow,
    TaxKind,
    VatRateRow,
    allocate,
    load_ratebook,
    quote,
)
from tests.customs.helpers import BOOK, D, amounts, line, request, run

CENT = D("0.01")
EU_MEMBER_STATES = (
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
)


# -- allocation -----------------------------------------------------------------------------


def test_freight_10_over_three_equal_lines_puts_the_remainder_on_the_first():
    result = run(
        [line("100", sku="a"), line("100", sku="b"), line("100", sku="c")], freight=D("10")
    )

    assert [ln.freight for ln in result.lines] == [D("3.34"), D("3.33"), D("3.33")]


def test_freight_remainder_goes_to_the_largest_line_wherever_it_is():
    result = run(
        [line("10", sku="a"), line("10", sku="b"), line("20", sku="c")], freight=D("10.01")
    )

    # exact shares 2.5025 / 2.5025 / 5.005: rounded down 2.50 / 2.50, the rest 5.01 to c.
    assert [ln.freight for ln in result.lines] == [D("2.50"), D("2.50"), D("5.01")]
    assert result.freight == D("10.01")


def test_insurance_is_allocated_the_same_way_and_both_enter_p():
    result = run([line("100"), line("300")], freight=D("8"), insurance=D("1"))

    assert [ln.freight for ln in result.lines] == [D("2.00"), D("6.00")]
    assert [ln.insurance for ln in result.lines] == [D("0.25"), D("0.75")]
    assert [ln.dutiable_value for ln in result.lines] == [D("102.25"), D("306.75")]


def test_free_lines_get_no_freight_and_an_all_free_order_puts_it_on_the_first_line():
    mixed = run([line("0", sku="gift"), line("50", sku="paid")], freight=D("5"))
    all_free = run([line("0", sku="g1"), line("0", sku="g2")], freight=D("5"))

    assert [ln.freight for ln in mixed.lines] == [D("0.00"), D("5.00")]
    assert [ln.freight for ln in all_free.lines] == [D("5.00"), D("0.00")]


def test_order_level_real_cut_lowers_p_pro_rata():
    result = run([line("300", sku="a"), line("100", sku="b")], order_discount=D("40"))

    assert [ln.goods_value for ln in result.lines] == [D("270.00"), D("90.00")]
    assert result.goods_value == D("360.00")
    assert result.tax_total == D("32.76")  # 24.57 + 8.19


def test_allocate_caps_a_cut_at_each_lines_value():
    # The largest line cannot take 1.01 of cut: it is capped at 1.00, the cent moves on.
    shares = allocate(D("1.01"), [D("1.00"), D("0.01"), D("0.01")], CENT, capped=True)

    assert shares == [D("1.00"), D("0.01"), D("0.00")]


def test_order_cut_larger_than_the_goods_is_refused():
    with pytest.raises(InvalidRequestError) as error:
        run([line("10")], order_discount=D("10.01"))

    assert error.value.field == "order_discount"


def test_non_cash_deductions_do_not_lower_p_anywhere():
    with_points = run(
        [line("100", currency="EUR")],
        destination="DE",
        mode=ClearanceMode.EXPORT_RETAIL,
        non_cash_deductions=D("30"),
    )

    assert with_points.dutiable_value == D("100.00")
    assert with_points.non_cash_deductions == D("30.00")


# -- currency conversion --------------------------------------------------------------------


def test_usd_lines_convert_into_cny_at_the_frozen_rate_rounded_half_up_once():
    result = run(
        [line("49.99", qty=2, currency="USD")],
        freight=D("5"),
        fx_rates={"USD": D("7.1234")},
    )

    ln = result.lines[0]
    assert ln.goods_value == D("712.20")  # 99.98 x 7.1234 = 712.197532
    assert ln.freight == D("35.62")  # 5 x 7.1234 = 35.617
    assert ln.dutiable_value == D("747.82")
    assert result.tax_total == D("68.05")  # 747.82 x 0.091 = 68.05162
    assert result.currency == "CNY"


def test_line_discount_is_taken_off_before_conversion():
    result = run([line("100", currency="USD", discount=D("10"))], fx_rates={"USD": D("7.2")})

    assert result.goods_value == D("648.00")


def test_jpy_priced_line_into_cny():
    result = run([line("1980", currency="JPY")], fx_rates={"JPY": D("0.0482")})

    assert result.goods_value == D("95.44")  # 95.436


def test_a_currency_without_a_rate_is_an_error_but_a_zero_amount_needs_none():
    with pytest.raises(MissingFxRateError) as error:
        run([line("10", currency="USD")])
    assert error.value.currency == "USD"

    # Freight is 0 in USD and lines are in CNY: no USD rate is needed.
    result = run([line("10")], currency="USD")
    assert result.goods_value == D("10.00")


def test_the_callers_decimal_context_does_not_change_the_money():
    with localcontext() as ctx:
        ctx.prec = 4
        result = run([line("12345.67", qty=2)], mode=ClearanceMode.GENERAL_TRADE)

    # D = 24691.34 x 7 % = 1728.3938; VAT = (24691.34 + 1728.3938) x 13 % = 3434.5654
    assert result.tax_total == D("5162.96")


# -- longest-prefix HS lookup ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("hs_code", "prefix"),
    [
        ("9506310000", "950631"),  # golf clubs: the 6-digit row
        ("9506990000", "95"),  # other sports/toys: the chapter row
        ("95063100", "950631"),  # 8 digits
        ("9506", "95"),  # a 4-digit code
        ("3304", "3304"),
        ("8471300000", "8471"),
        ("8504400000", "85"),
        ("9999999999", ""),  # the default row
    ],
)
def test_the_longest_matching_prefix_wins(hs_code: str, prefix: str):
    assert BOOK.rate_for("CN", hs_code).hs_prefix == prefix


def test_golf_clubs_pay_ct_through_their_6_digit_row():
    result = run([line("1000", hs="9506310000")])

    assert result.lines[0].hs_prefix == "950631"
    assert amounts(result, TaxKind.CONSUMPTION_TAX) == [D("77.78")]  # 1000 / 0.9 x 0.1 x 0.7


def test_a_flag_selects_its_row_and_an_unknown_flag_is_ignored():
    cosmetic = BOOK.rate_for("CN", "3304990099", frozenset({FLAG_HIGH_END_COSMETIC}))
    shirt = BOOK.rate_for("CN", "6109100022", frozenset({FLAG_HIGH_END_WATCH}))

    assert (cosmetic.hs_prefix, cosmetic.flag, cosmetic.ct_rate) == (
        "3304",
        FLAG_HIGH_END_COSMETIC,
        D("0.15"),
    )
    assert (shirt.hs_prefix, shirt.flag) == ("61", "")


def test_a_flagged_row_wins_over_a_longer_unflagged_one():
    book = _tiny_book(
        rates=[
            RateRow("T", ""),
            RateRow("T", "3304", flag="hi", ct_rate=D("0.15")),
            RateRow("T", "330410"),
        ]
    )

    assert book.rate_for("T", "3304100000", frozenset({"hi"})).flag == "hi"
    assert book.rate_for("T", "3304100000").hs_prefix == "330410"


# -- input validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "hs_code", ["3304.10", "330", "12345678901", "3304 10", "３３０４", "٣٣٠٤", "", "33O4"]
)
def test_hs_codes_must_be_4_to_10_ascii_digits(hs_code: str):
    with pytest.raises(InvalidRequestError) as error:
        LineItem("SKU", hs_code, 1, D("1"), "CNY")

    assert error.value.field == "hs_code"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"unit_price": 9.99}, "unit_price"),
        ({"unit_price": D("-1")}, "unit_price"),
        ({"unit_price": D("NaN")}, "unit_price"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"currency": "cny"}, "currency"),
        ({"discount": D("10.01")}, "discount"),
    ],
)
def test_line_fields_are_validated(kwargs: dict, field: str):
    values = {
        "sku": "SKU",
        "hs_code": "6109100022",
        "quantity": 1,
        "unit_price": D("10"),
        "currency": "CNY",
    }
    values.update(kwargs)

    with pytest.raises(InvalidRequestError) as error:
        LineItem(**values)

    assert error.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"destination": "de"}, "destination"),
        ({"destination": "DEU"}, "destination"),
        ({"mode": "bonded_warehouse"}, "mode"),
        ({"freight": D("-0.01")}, "freight"),
        ({"buyer_year_to_date": 100}, "buyer_year_to_date"),
        ({"fx_rates": {"USD": D("0")}}, "fx_rates[USD]"),
        ({"lines": ()}, "lines"),
    ],
)
def test_request_fields_are_validated(kwargs: dict, field: str):
    values = {
        "destination": "CN",
        "mode": ClearanceMode.DIRECT,
        "order_date": date(2026, 1, 5),
        "currency": "CNY",
        "lines": (line("10"),),
    }
    values.update(kwargs)

    with pytest.raises(InvalidRequestError) as error:
        QuoteRequest(**values)

    assert error.value.field == field


def test_mode_may_be_given_as_its_string():
    assert request([line("10")], mode="bonded").mode is ClearanceMode.BONDED  # type: ignore[arg-type]


def test_the_request_keeps_its_own_copy_of_the_fx_rates():
    rates = {"USD": D("7")}
    req = request([line("1", currency="USD")], fx_rates=rates)
    rates["USD"] = D("8")

    assert quote(req, BOOK).goods_value == D("7.00")


def test_no_regime_for_the_route_is_an_error_with_a_shopper_message():
    with pytest.raises(NoRegimeError) as error:
        run([line("10", currency="EUR")], destination="DE", mode=ClearanceMode.BONDED)

    assert error.value.message.code == "no_regime"
    assert "DE" in error.value.message.zh_hans


def test_no_regime_before_the_first_version():
    with pytest.raises(NoRegimeError):
        run([line("10")], on=date(2018, 12, 31))


# -- rate data checks -----------------------------------------------------------------------


def _regime(code: str = "R", **changes: object) -> RegimeRow:
    values: dict = {
        "code": code,
        "calculator": Calculator.LOW_VALUE,
        "destinations": frozenset({"DE"}),
        "modes": frozenset({ClearanceMode.EXPORT_RETAIL}),
        "currency": "EUR",
        "effective_from": date(2020, 1, 1),
        "rate_table": "T",
    }
    values.update(changes)
    return RegimeRow(**values)


def _tiny_book(
    regimes: list[RegimeRow] | None = None, rates: list[RateRow] | None = None
) -> RateBook:
    return RateBook(
        regimes=regimes if regimes is not None else [_regime()],
        rates=rates if rates is not None else [RateRow("T", "")],
        postal_categories=[PostalCategoryRow("1", D("0.13"))],
        vat_rates=[VatRateRow("DE", D("0.19"), date(2019, 1, 1))],
    )


def test_two_regimes_for_the_same_route_and_time_are_refused():
    with pytest.raises(RateBookError, match="both apply"):
        _tiny_book(regimes=[_regime("A"), _regime("B", effective_from=date(2024, 1, 1))])


def test_consecutive_versions_of_a_route_are_fine():
    book = _tiny_book(
        regimes=[
            _regime("A", effective_to=date(2024, 1, 1)),
            _regime("B", effective_from=date(2024, 1, 1)),
        ]
    )

    assert book.regime_for("DE", ClearanceMode.EXPORT_RETAIL, date(2023, 12, 31)).code == "A"
    assert book.regime_for("DE", ClearanceMode.EXPORT_RETAIL, date(2024, 1, 1)).code == "B"


def test_a_rate_table_needs_a_default_row():
    with pytest.raises(RateBookError, match="default row"):
        _tiny_book(rates=[RateRow("T", "61")])


def test_a_switch_must_lead_to_a_known_regime_that_does_not_switch_again():
    with pytest.raises(RateBookError, match="unknown regime"):
        _tiny_book(regimes=[_regime(over_limit_regime="NOPE")])
    with pytest.raises(RateBookError, match="must not switch"):
        _tiny_book(
            regimes=[
                _regime("A", over_limit_regime="B"),
                _regime("B", modes=frozenset(), over_limit_regime="A"),
            ]
        )


def test_rates_must_be_fractions_and_prefixes_digits():
    with pytest.raises(RateBookError, match="duty_rate"):
        _tiny_book(rates=[RateRow("T", ""), RateRow("T", "61", duty_rate=D("12"))])
    with pytest.raises(RateBookError, match="hs_prefix"):
        _tiny_book(rates=[RateRow("T", ""), RateRow("T", "61.09")])


def test_a_bad_seed_cell_names_the_file_line_and_column(tmp_path: Path):
    for source in SEED_DIR.glob("*.csv"):
        shutil.copy(source, tmp_path / source.name)
    rates = tmp_path / "rates.csv"
    rates.write_text(
        rates.read_text(encoding="utf-8").replace("CN,0402,,0.10,", "CN,0402,,ten,", 1),
        encoding="utf-8",
    )

    with pytest.raises(RateBookError, match=r"rates\.csv:3: column 'duty_rate'"):
        load_ratebook(tmp_path)


def test_the_seed_data_covers_every_eu_member_state():
    member_states = set(EU_MEMBER_STATES.split())
    today = date(2026, 11, 22)
    ioss = BOOK.regime_for("DE", ClearanceMode.EXPORT_RETAIL, today)

    assert member_states <= ioss.destinations
    for country in member_states:
        rate = BOOK.standard_vat(country, today)
        assert rate is not None and D("0.15") <= rate <= D("0.28"), country
    assert isinstance(BOOK.standard_vat("HU", today), Decimal)


def test_the_engine_imports_without_django_or_the_project_kernel():
    """No Django, Celery or Babel; of the kernel only its standard-library clearance modes
    (importing the ``marketplace`` package itself loads nothing)."""
    probe = (
        "import sys, customs.engine; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] "
        "in {'django', 'celery', 'babel', 'marketplace'}))"
    )
    root = Path(__file__).resolve().parents[2]

    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True
    )

    assert out.stdout.strip() == "['marketplace', 'marketplace.clearance']"
