"""Money kernel: half-up rounding to the minor unit, conversion, formatting, the FX table."""

from decimal import Decimal

import pytest

from marketplace.money import (
    CurrencyMismatch,
    Money,
    MoneyError,
    convert,
    format_money,
    minor_unit,
    round_money,
)

D = Decimal


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("85.085", "CNY", "85.09"),  # half-up: half-even would give 85.08 (taxes.md example 2)
        ("0.005", "CNY", "0.01"),
        ("0.0049999", "CNY", "0.00"),
        ("-0.005", "CNY", "-0.01"),  # half-up rounds away from zero on both sides
        ("2.5", "JPY", "3"),  # JPY has no minor unit
        ("3.5", "JPY", "4"),
        ("1.125", "EUR", "1.13"),
        ("1.115", "USD", "1.12"),
        ("100", "GBP", "100.00"),
    ],
)
def test_round_money_is_half_up_to_the_minor_unit(amount, currency, expected):
    assert round_money(D(amount), currency) == D(expected)
    assert str(round_money(D(amount), currency)) == expected


def test_minor_units_follow_iso_4217():
    assert [minor_unit(c) for c in ("CNY", "USD", "EUR", "GBP", "JPY", "HKD", "AUD")] == [
        2,
        2,
        2,
        2,
        0,
        2,
        2,
    ]


def test_floats_and_bad_codes_are_refused():
    with pytest.raises(MoneyError):
        Money(0.1, "CNY")
    with pytest.raises(MoneyError):
        Money(D("1"), "XX")
    with pytest.raises(MoneyError):
        Money(D("1"), "CNY") * 1.5


def test_money_in_different_currencies_cannot_be_added():
    with pytest.raises(CurrencyMismatch):
        Money(D("1"), "CNY") + Money(D("1"), "USD")


def test_arithmetic_keeps_precision_until_rounded():
    third = Money(D("10"), "CNY") * (D(1) / D(3))
    assert third.amount != third.rounded().amount
    assert third.rounded().amount == D("3.33")


RATES = {"USD": D("7.1"), "EUR": D("7.7"), "JPY": D("0.047")}


def test_convert_to_base_rounds_once_at_the_end():
    assert convert(Money(D("10.005"), "USD"), "CNY", RATES, base="CNY") == Money(D("71.04"), "CNY")


def test_cross_rate_goes_through_the_base_without_intermediate_rounding():
    # 10 USD = 71 CNY = 9.2207.. EUR -> 9.22; rounding in CNY first would not change it here,
    # but 1 JPY -> USD shows it: 0.047/7.1 = 0.00662 -> 0.01, never 0.00 from a rounded 0.05.
    assert convert(Money(D("10"), "USD"), "EUR", RATES, base="CNY").amount == D("9.22")
    assert convert(Money(D("1"), "JPY"), "USD", RATES, base="CNY").amount == D("0.01")
    assert convert(Money(D("1000"), "CNY"), "JPY", RATES, base="CNY").amount == D("21277")


def test_convert_without_a_rate_names_the_currency():
    with pytest.raises(MoneyError, match="GBP"):
        convert(Money(D("1"), "GBP"), "CNY", RATES, base="CNY")


def test_formatting_is_locale_aware():
    assert format_money(Money(D("1234.5"), "CNY"), "zh-hans") == "¥1,234.50"
    assert format_money(Money(D("12"), "USD"), "en") == "$12.00"
    assert format_money(Money(D("12"), "USD"), "zh-hans") == "US$12.00"
    assert format_money(Money(D("1500.4"), "JPY"), "en") == "¥1,500"


@pytest.mark.django_db
def test_operator_rates_are_seeded_and_a_new_rate_takes_over():
    from django.core.cache import cache

    from marketplace.selectors import FX_CACHE_KEY, fx_rates_current
    from marketplace.services import exchange_rate_set

    rates = fx_rates_current()
    assert set(rates) >= {"CNY", "USD", "EUR", "GBP", "JPY", "HKD", "AUD"}
    assert rates["CNY"] == 1
    exchange_rate_set(currency="usd", rate="7.2500")
    cache.delete(FX_CACHE_KEY)  # on_commit clears it in production; tests run in a transaction
    assert fx_rates_current()["USD"] == D("7.25")


@pytest.mark.django_db
def test_a_rate_must_be_positive():
    from marketplace.services import exchange_rate_set

    with pytest.raises(ValueError):
        exchange_rate_set(currency="USD", rate="0")


@pytest.mark.django_db
def test_a_currency_the_operator_adds_reports_the_minor_unit_money_rounds_to(client):
    """One source of minor units: a new currency needs no digits typed in, and the API says
    what the money kernel rounds to (Ugandan shillings have no cents)."""
    from marketplace.models import Currency
    from marketplace.services import exchange_rate_set

    Currency.objects.create(code="UGX", name="Ugandan Shilling")
    exchange_rate_set(currency="UGX", rate="0.0019")
    rows = client.get("/api/v1/currencies/").json()["results"]
    ugx = next(r for r in rows if r["code"] == "UGX")
    assert ugx["minor_unit"] == 0 == minor_unit("UGX")
    assert round_money(D("1234.5"), "UGX") == D("1235")
    assert next(r for r in rows if r["code"] == "JPY")["minor_unit"] == 0
    assert next(r for r in rows if r["code"] == "USD")["minor_unit"] == 2
