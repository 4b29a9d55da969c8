"""The worked examples of the tax reference, and the arithmetic of each regime, to the fen."""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal

import pytest

from customs.engine import (
    FLAG_HIGH_END_COSMETIC,
    LANGUAGES,
    MESSAGES,
    MINOR_UNITS,
    REGIME_NAMES,
    TAX_KIND_NAMES,
    ClearanceMode,
    InvalidRequestError,
    TaxKind,
    format_amount,
    order_message_amounts,
    quantum,
    round_money,
)
from tests.customs.helpers import BOOK, D, amounts, line, run

GENERAL = ClearanceMode.GENERAL_TRADE
PARCEL = ClearanceMode.PERSONAL_PARCEL
HIGH_END = frozenset({FLAG_HIGH_END_COSMETIC})


# -- taxes.md worked example 1 --------------------------------------------------------------


def test_example_1_ordinary_goods_300_plus_freight_20_pays_vat_29_12():
    result = run([line("300")], freight=D("20"))

    assert result.regime.code == "CN_CBEC_9610"
    assert result.dutiable_value == D("320.00")
    assert result.totals[TaxKind.VAT] == D("29.12")
    assert result.totals[TaxKind.CONSUMPTION_TAX] == D("0")
    assert result.totals[TaxKind.DUTY] == D("0")
    assert result.tax_total == D("29.12")
    vat = result.lines[0].taxes[-1]
    assert (vat.kind, vat.base, vat.rate, vat.factor) == (
        TaxKind.VAT,
        D("320"),
        D("0.13"),
        D("0.7"),
    )


# -- taxes.md worked example 2 --------------------------------------------------------------


def test_example_2_real_cut_lowers_p_points_do_not_and_vat_rounds_half_up():
    result = run(
        [line("1000", discount=D("100"))],  # list price 1,000 cut to 900
        freight=D("35"),
        non_cash_deductions=D("50"),  # points: not a price cut
    )

    assert result.lines[0].dutiable_value == D("935.00")
    assert result.tax_total == D("85.09")  # 935 x 0.091 = 85.085
    assert result.tax_total != D("85.08")  # what half-even would give


def test_example_2_order_message_amounts_add_up_to_actural_paid_970_09():
    result = run([line("900")], freight=D("35"), non_cash_deductions=D("50"))

    message = order_message_amounts(result)

    assert message.goods_value == D("900.00")
    assert message.freight == D("35.00")
    assert message.tax_total == D("85.09")
    assert message.discount == D("50.00")
    assert message.actual_paid == D("970.09")


def test_order_message_counts_insurance_with_freight():
    result = run([line("900")], freight=D("30"), insurance=D("5"), non_cash_deductions=D("50"))

    message = order_message_amounts(result)

    assert message.freight == D("35.00")
    assert message.actual_paid == D("970.09")


# -- taxes.md worked example 3 --------------------------------------------------------------


def test_example_3_postal_tax_of_40_is_waived_but_shown():
    result = run([line("200")], mode=PARCEL)

    tax = result.lines[0].taxes[0]
    assert (tax.kind, tax.rate, tax.amount, tax.waived, tax.due) == (
        TaxKind.POSTAL_TAX,
        D("0.20"),
        D("40.00"),
        True,
        D("0"),
    )
    assert result.tax_total == D("0")
    assert result.waived_total == D("40.00")
    assert result.totals[TaxKind.POSTAL_TAX] == D("0")
    waived = next(notice for notice in result.notices if notice.code == "postal_tax_waived")
    assert "40.00" in waived.en and "40.00" in waived.zh_hans


def test_example_3_postal_tax_of_240_is_due_in_full():
    result = run([line("1200")], mode=PARCEL)

    tax = result.lines[0].taxes[0]
    assert (tax.amount, tax.waived, tax.due) == (D("240.00"), False, D("240.00"))
    assert result.tax_total == D("240.00")
    assert result.waived_total == D("0")


def test_postal_base_is_goods_only_freight_is_not_taxed():
    result = run([line("1200")], mode=PARCEL, freight=D("100"))

    assert result.lines[0].dutiable_value == D("1200.00")
    assert result.tax_total == D("240.00")


def test_postal_category_follows_the_article_or_the_line_override():
    result = run(
        [
            line("100", hs="4901990000", sku="book"),  # category 1: 13 %
            line("100", hs="2204210000", sku="wine"),  # category 3: 50 %
            line("100", sku="tee", postal_category="1"),  # override on the line
        ],
        mode=PARCEL,
    )

    assert [tax.rate for ln in result.lines for tax in ln.taxes] == [
        D("0.13"),
        D("0.50"),
        D("0.13"),
    ]
    assert result.tax_total == D("76.00")  # 13 + 50 + 13: over 50, all due


def test_an_unknown_postal_category_on_a_line_is_a_request_error():
    with pytest.raises(InvalidRequestError) as error:
        run([line("100", postal_category="9")], mode=PARCEL)

    assert error.value.field == "postal_category"


# -- China cross-border retail import: consumption tax -------------------------------------


def test_high_end_cosmetics_pay_ct_and_vat_on_the_ct_inclusive_base_at_70_percent():
    result = run([line("1000", hs="3304990099", attributes=HIGH_END)])

    # CT = 1000 / 0.85 x 0.15 x 0.7 = 123.529...; VAT = 1000 / 0.85 x 0.13 x 0.7 = 107.058...
    assert amounts(result, TaxKind.CONSUMPTION_TAX) == [D("123.53")]
    assert amounts(result, TaxKind.VAT) == [D("107.06")]
    assert result.tax_total == D("230.59")
    ct = result.lines[0].taxes[1]
    assert (ct.base, ct.rate, ct.factor) == (D("1176.47"), D("0.15"), D("0.7"))


def test_ordinary_cosmetics_without_the_flag_pay_no_ct():
    result = run([line("1000", hs="3304990099")])

    assert amounts(result, TaxKind.CONSUMPTION_TAX) == [D("0")]
    assert result.tax_total == D("91.00")


def test_ct_exactly_half_a_fen_rounds_up_because_the_division_comes_last():
    # P = 9.35: CT = 9.35 x 0.15 x 0.7 / 0.85 = 1.155 exactly.
    result = run([line("9.35", hs="3304990099", attributes=HIGH_END)])

    assert amounts(result, TaxKind.CONSUMPTION_TAX) == [D("1.16")]


def test_vat_exactly_half_a_fen_rounds_up_too():
    # P = 4.25: VAT = 4.25 x 0.13 x 0.7 / 0.85 = 0.455 exactly; a factor 0.091 / 0.85 cut at
    # 28 digits would give 0.45499... and round down.
    result = run([line("4.25", hs="3304990099", attributes=HIGH_END)])

    assert amounts(result, TaxKind.VAT) == [D("0.46")]


def test_wine_pays_ct_10_percent_at_70_percent():
    result = run([line("500", hs="2204210000")])

    # CT = 500 / 0.9 x 0.1 x 0.7 = 38.888...; VAT = 500 / 0.9 x 0.13 x 0.7 = 50.555...
    assert amounts(result, TaxKind.CONSUMPTION_TAX) == [D("38.89")]
    assert amounts(result, TaxKind.VAT) == [D("50.56")]


def test_books_pay_vat_9_percent_at_70_percent():
    result = run([line("200", hs="4901990000")])

    assert amounts(result, TaxKind.VAT) == [D("12.60")]  # 200 x 0.063


# -- China general trade --------------------------------------------------------------------


def test_general_trade_ordinary_goods_duty_then_vat_on_p_plus_duty():
    result = run([line("1000")], mode=GENERAL)

    assert result.regime.code == "CN_GENERAL"
    assert amounts(result, TaxKind.DUTY) == [D("70.00")]  # 1000 x 7 %
    assert amounts(result, TaxKind.VAT) == [D("139.10")]  # 1070 x 13 %
    assert result.tax_total == D("209.10")
    assert not result.collected_at_checkout


def test_general_trade_high_end_cosmetics_full_formula():
    result = run([line("1000", hs="3304990099", attributes=HIGH_END)], mode=GENERAL)

    # D = 10; CT = 1010 / 0.85 x 0.15 = 178.235...; VAT = 1010 / 0.85 x 0.13 = 154.470...
    assert amounts(result, TaxKind.DUTY) == [D("10.00")]
    assert amounts(result, TaxKind.CONSUMPTION_TAX) == [D("178.24")]
    assert amounts(result, TaxKind.VAT) == [D("154.47")]
    assert result.tax_total == D("342.71")


def test_general_trade_vat_builds_on_the_unrounded_duty():
    # Shoes, d = 10 %: D = 10.136 (shown 10.14); VAT = 111.496 x 0.13 = 14.494... -> 14.49.
    # Building on the rounded duty would give 111.50 x 0.13 = 14.495 -> 14.50.
    result = run([line("101.36", hs="6403990000")], mode=GENERAL)

    assert amounts(result, TaxKind.DUTY) == [D("10.14")]
    assert amounts(result, TaxKind.VAT) == [D("14.49")]


# -- destinations abroad --------------------------------------------------------------------


def test_eu_ioss_charges_the_member_state_vat_on_goods_plus_freight():
    result = run(
        [line("100", currency="EUR")],
        destination="FR",
        mode=ClearanceMode.EXPORT_RETAIL,
        freight=D("10"),
        on=date(2026, 3, 1),
    )

    assert result.regime.code == "EU_IOSS"
    assert result.currency == "EUR"
    assert amounts(result, TaxKind.VAT) == [D("22.00")]  # 110 x 20 % (France)
    assert result.collected_at_checkout


def test_eu_vat_rate_is_the_one_in_force_on_the_order_date():
    def vat_on(day: date) -> Decimal:
        return run(
            [line("100", currency="EUR")],
            destination="FI",
            mode=ClearanceMode.EXPORT_RETAIL,
            on=day,
        ).totals[TaxKind.VAT]

    assert vat_on(date(2024, 8, 31)) == D("24.00")
    assert vat_on(date(2024, 9, 1)) == D("25.50")


def test_northern_ireland_follows_eu_rules_at_uk_vat_rate():
    result = run([line("100", currency="EUR")], destination="XI", mode=ClearanceMode.EXPORT_RETAIL)

    assert result.regime.code == "EU_IOSS"
    assert result.totals[TaxKind.VAT] == D("20.00")


def test_uk_low_value_vat_20_percent_and_zero_rated_books_and_childrens_clothes():
    result = run(
        [
            line("50", currency="GBP", sku="tee"),
            line("20", currency="GBP", hs="4901990000", sku="book"),
            line("30", currency="GBP", sku="kids", attributes=frozenset({"childrens_clothing"})),
        ],
        destination="GB",
        mode=ClearanceMode.EXPORT_RETAIL,
    )

    assert result.regime.code == "GB_LVG"
    assert amounts(result, TaxKind.VAT) == [D("10.00"), D("0.00"), D("0.00")]


def test_us_duty_by_hs_rate_no_vat():
    result = run(
        [line("100", currency="USD"), line("100", currency="USD", hs="8471300000")],
        destination="US",
        mode=ClearanceMode.EXPORT_RETAIL,
    )

    assert result.regime.code == "US_DUTY"
    assert amounts(result, TaxKind.DUTY) == [D("16.00"), D("0.00")]
    assert set(result.totals) == {TaxKind.DUTY}


def test_australia_and_singapore_charge_gst():
    au = run([line("100", currency="AUD")], destination="AU", mode=ClearanceMode.EXPORT_RETAIL)
    sg = run([line("100", currency="SGD")], destination="SG", mode=ClearanceMode.EXPORT_RETAIL)

    assert (au.regime.code, au.totals[TaxKind.GST]) == ("AU_LVG", D("10.00"))
    assert (sg.regime.code, sg.totals[TaxKind.GST]) == ("SG_LVG", D("9.00"))
    assert TaxKind.VAT not in au.totals


def test_singapore_gst_was_8_percent_in_2023():
    sg = run(
        [line("100", currency="SGD")],
        destination="SG",
        mode=ClearanceMode.EXPORT_RETAIL,
        on=date(2023, 6, 1),
    )

    assert sg.totals[TaxKind.GST] == D("8.00")


# -- money helpers and texts ----------------------------------------------------------------


def test_minor_units_round_half_up_per_currency():
    assert quantum("CNY") == D("0.01")
    assert quantum("JPY") == D("1")
    assert round_money(D("1234.5"), "JPY") == D("1235")
    assert round_money(D("0.125"), "EUR") == D("0.13")
    assert round_money(D("1.0005"), "KWD") == D("1.001")
    assert format_amount(D("26000"), "CNY") == "26,000.00"
    assert format_amount(D("1980"), "JPY") == "1,980"


def test_minor_units_agree_with_the_money_kernel_for_every_currency():
    # The engine keeps its own map so it imports without Django, Celery or Babel; this keeps
    # the two from drifting apart, for every currency either side knows (UGX and XAF have no
    # minor unit: the engine once rounded them to cents).
    from babel.numbers import list_currencies

    from marketplace.money import minor_unit

    for currency in sorted({*MINOR_UNITS, *list_currencies()}):
        assert quantum(currency) == D(1).scaleb(-minor_unit(currency)), currency
    assert round_money(D("1234.5"), "UGX") == D("1235")
    assert format_amount(D("1980"), "XAF") == "1,980"


def test_every_message_has_both_languages_with_the_same_placeholders():
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for code, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), code
        assert fields(texts["en"]) == fields(texts["zh-hans"]), code
    for names in (*REGIME_NAMES.values(), *TAX_KIND_NAMES.values()):
        assert all(names[language].strip() for language in LANGUAGES)
    assert set(TAX_KIND_NAMES) == set(TaxKind)


def test_every_seeded_regime_has_names_and_its_notice_exists():
    for regime in BOOK.regimes():
        assert regime.code in REGIME_NAMES, regime.code
        assert not regime.notice or regime.notice in MESSAGES, regime.code


@pytest.mark.parametrize("language", ["en", "zh-hans", "zh_Hans"])
def test_message_text_picks_the_language(language: str):
    result = run([line("200")], mode=PARCEL)

    notice = result.notices[0]
    expected = notice.en if language == "en" else notice.zh_hans
    assert notice.text(language) == expected
