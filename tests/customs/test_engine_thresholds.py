"""Every regime's limits at the boundary: exactly at the limit passes, one minor unit over blocks
or switches regime, and the shopper is told why (in English and Chinese) before paying."""

from __future__ import annotations

from datetime import date

from customs.engine import (
    FLAG_EXCISE,
    ClearanceMode,
    IndivisiblePolicy,
    QuoteResult,
    TaxKind,
    quote,
)
from tests.customs.helpers import D, amounts, book_with, line, request, run

EXPORT = ClearanceMode.EXPORT_RETAIL
PARCEL = ClearanceMode.PERSONAL_PARCEL


def codes(result: QuoteResult) -> list[str]:
    return [message.code for message in result.blocking]


# -- China cross-border: 5,000 CNY per transaction ------------------------------------------


def test_cbec_exactly_5000_dutiable_value_passes():
    result = run([line("2490", qty=2)], freight=D("20"))

    assert result.dutiable_value == D("5000.00")
    assert not result.blocked
    assert result.tax_total == D("455.00")


def test_cbec_one_fen_over_5000_blocks_with_the_amount_and_no_taxes():
    result = run([line("2490", qty=2)], freight=D("20.01"))

    assert result.blocked
    assert codes(result) == ["cbec_transaction_limit"]
    reason = result.blocking[0]
    assert "5,000.01" in reason.en and "5,000.00" in reason.en
    assert "5,000.01" in reason.zh_hans and "单次交易限值" in reason.zh_hans
    assert result.tax_total == D("0")
    assert all(ln.taxes == () for ln in result.lines)


def test_cbec_limit_counts_freight_and_insurance():
    result = run([line("4990")], freight=D("5"), insurance=D("5.01"), mode=ClearanceMode.BONDED)

    assert codes(result) == ["cbec_transaction_limit"]


def test_cbec_single_indivisible_item_over_5000_is_blocked_by_default():
    result = run([line("6000")])

    assert codes(result) == ["cbec_transaction_limit"]


def test_cbec_single_indivisible_item_clears_at_general_trade_rates_when_the_data_allows():
    book = book_with("CN_CBEC_9610", indivisible_over_limit=IndivisiblePolicy.GENERAL_TRADE_RATES)

    result = quote(request([line("6000")]), book)

    assert not result.blocked
    assert result.regime.code == "CN_CBEC_9610"
    assert amounts(result, TaxKind.DUTY) == [D("420.00")]  # 6000 x 7 %, full rate
    assert amounts(result, TaxKind.VAT) == [D("834.60")]  # 6420 x 13 %, no 70 %
    assert result.yearly_counted == D("6000.00")
    assert [notice.code for notice in result.notices] == ["general_trade_rates"]


def test_general_trade_rates_are_for_one_item_only():
    book = book_with("CN_CBEC_9610", indivisible_over_limit=IndivisiblePolicy.GENERAL_TRADE_RATES)

    two_items = quote(request([line("3000", qty=2)]), book)

    assert codes(two_items) == ["cbec_transaction_limit"]


def test_single_item_over_5000_still_needs_room_in_the_yearly_limit():
    book = book_with("CN_CBEC_9610", indivisible_over_limit=IndivisiblePolicy.GENERAL_TRADE_RATES)

    result = quote(request([line("6000")], buyer_year_to_date=D("20000.01")), book)

    assert codes(result) == ["cbec_yearly_limit"]


def test_the_data_may_send_orders_over_the_limits_to_general_trade_instead_of_blocking():
    book = book_with("CN_CBEC_9610", over_limit_regime="CN_GENERAL")

    over_5000 = quote(request([line("2500.01", qty=2)]), book)
    over_year = quote(request([line("100")], buyer_year_to_date=D("25900.01")), book)

    for result in (over_5000, over_year):
        assert not result.blocked
        assert (result.regime.code, result.switched_from) == ("CN_GENERAL", "CN_CBEC_9610")
        assert result.yearly_remaining is None
    assert over_5000.notices[0].code == "regime_switched"
    assert over_year.notices[0].code == "regime_switched_yearly"
    assert "26,000.00" in over_year.notices[0].en
    assert amounts(over_5000, TaxKind.DUTY) == [D("350.00")]  # 5000.02 x 7 %


# -- China cross-border: 26,000 CNY per buyer per year --------------------------------------


def test_yearly_total_of_exactly_26000_passes_and_reports_what_is_left():
    result = run([line("1000")], buyer_year_to_date=D("25000"))

    assert not result.blocked
    assert result.yearly_remaining == D("1000.00")
    assert result.yearly_counted == D("1000.00")


def test_one_fen_over_the_yearly_limit_blocks_and_says_how_much_is_left():
    result = run([line("1000.01")], buyer_year_to_date=D("25000"))

    assert codes(result) == ["cbec_yearly_limit"]
    reason = result.blocking[0]
    assert "You have 1,000.00 CNY left this year" in reason.en
    assert "剩余额度为 1,000.00 CNY" in reason.zh_hans
    assert reason.params["remaining"] == "1,000.00"
    assert result.yearly_remaining == D("1000.00")


def test_a_buyer_past_the_yearly_limit_has_nothing_left():
    result = run([line("10")], buyer_year_to_date=D("26500"))

    assert codes(result) == ["cbec_yearly_limit"]
    assert result.yearly_remaining == D("0.00")


def test_both_limits_are_reported_together():
    result = run([line("2500.01", qty=2)], buyer_year_to_date=D("25000"))

    assert codes(result) == ["cbec_transaction_limit", "cbec_yearly_limit"]


def test_other_regimes_have_no_yearly_allowance():
    result = run([line("100", currency="EUR")], destination="DE", mode=EXPORT)

    assert result.yearly_remaining is None


# -- China cross-border: product record in bonded mode --------------------------------------


def test_bonded_goods_without_product_record_are_blocked_direct_purchase_is_not():
    unrecorded = line("100", sku="NEW-SERUM", has_product_record=False)

    bonded = run([unrecorded], mode=ClearanceMode.BONDED)
    direct = run([unrecorded], mode=ClearanceMode.DIRECT)

    assert codes(bonded) == ["cbec_no_product_record"]
    assert "NEW-SERUM" in bonded.blocking[0].en and "NEW-SERUM" in bonded.blocking[0].zh_hans
    assert bonded.regime.code == "CN_CBEC_1210"
    assert not direct.blocked


# -- China personal parcel: 2,000 CNY per parcel and the 50 CNY waiver ----------------------


def test_parcel_of_exactly_2000_passes():
    result = run([line("1000", qty=2)], mode=PARCEL)

    assert not result.blocked
    assert result.tax_total == D("400.00")


def test_parcel_one_fen_over_2000_is_blocked():
    result = run([line("1000", qty=2), line("0.01", sku="pin")], mode=PARCEL)

    assert codes(result) == ["parcel_limit"]
    assert "2,000.01" in result.blocking[0].en


def test_parcel_limit_ignores_freight():
    result = run([line("1000", qty=2)], mode=PARCEL, freight=D("80"))

    assert not result.blocked


def test_single_indivisible_item_over_2000_may_travel_as_a_parcel():
    result = run([line("3000")], mode=PARCEL)

    assert not result.blocked
    assert result.tax_total == D("600.00")


def test_postal_tax_of_exactly_50_is_waived():
    result = run([line("250")], mode=PARCEL)  # 250 x 20 % = 50.00

    assert result.waived_total == D("50.00")
    assert result.tax_total == D("0")
    assert all(tax.waived for ln in result.lines for tax in ln.taxes)


def test_postal_tax_of_50_01_is_due_in_full():
    result = run([line("250.05")], mode=PARCEL)  # 50.01

    assert result.tax_total == D("50.01")
    assert result.waived_total == D("0")
    assert not any(notice.code == "postal_tax_waived" for notice in result.notices)


def test_waiver_compares_the_rounded_parcel_total():
    # 192.34 x 13 % = 25.0042 -> 25.00 per line: unrounded 50.0084, rounded total 50.00.
    result = run(
        [line("192.34", hs="4901990000", qty=1), line("192.34", hs="4901990000")], mode=PARCEL
    )

    assert result.waived_total == D("50.00")
    assert result.tax_total == D("0")


# -- EU: EUR 150 intrinsic value, excise goods, the EUR 3 flat duty -------------------------


def eu(lines: list, on: date = date(2026, 11, 22), **kwargs: object) -> QuoteResult:
    return run(lines, destination="DE", mode=EXPORT, on=on, **kwargs)


def test_eu_exactly_150_intrinsic_value_stays_in_ioss_freight_not_counted():
    result = eu([line("150", currency="EUR")], freight=D("10"))

    assert result.regime.code == "EU_IOSS"
    assert result.collected_at_checkout
    assert amounts(result, TaxKind.VAT) == [D("30.40")]  # (150 + 10) x 19 %


def test_eu_one_cent_over_150_switches_to_normal_import_with_duty():
    result = eu([line("150.01", currency="EUR")], freight=D("10"))

    assert result.regime.code == "EU_IMPORT"
    assert result.switched_from == "EU_IOSS"
    assert not result.blocked
    assert not result.collected_at_checkout
    assert [notice.code for notice in result.notices] == ["regime_switched", "taxes_on_arrival"]
    # D = 160.01 x 12 % = 19.2012; VAT = (160.01 + 19.2012) x 19 % = 34.0501...
    assert amounts(result, TaxKind.DUTY) == [D("19.20")]
    assert amounts(result, TaxKind.VAT) == [D("34.05")]


def test_eu_excise_goods_are_blocked_under_ioss():
    result = eu([line("40", currency="EUR", hs="2204210000", sku="RIOJA")])

    assert codes(result) == ["excise_not_allowed"]
    assert "RIOJA" in result.blocking[0].en and "DE" in result.blocking[0].en
    assert "欧盟进口一站式申报" in result.blocking[0].zh_hans


def test_eu_excise_flag_on_the_line_blocks_too():
    result = eu([line("40", currency="EUR", attributes=frozenset({FLAG_EXCISE}))])

    assert codes(result) == ["excise_not_allowed"]


def test_eu_excise_goods_above_150_go_through_normal_import():
    result = eu([line("200", currency="EUR", hs="2204210000")])

    assert result.regime.code == "EU_IMPORT"
    assert not result.blocked


def test_eu_perfume_is_not_an_excise_good():
    assert not eu([line("40", currency="EUR", hs="3303001000")]).blocked


PARCEL_OF_TWO_SUB_HEADINGS = [
    line("10", currency="EUR", hs="6109100010", sku="tee-a"),
    line("10", currency="EUR", hs="6109100099", sku="tee-b"),  # same sub-heading 610910
    line("20", currency="EUR", hs="8518300095", sku="earbuds"),
    line("5", currency="EUR", hs="6109100010", sku="tee-c", qty=2),
]


def test_eu_no_flat_duty_before_1_july_2026():
    result = eu(PARCEL_OF_TWO_SUB_HEADINGS, on=date(2026, 6, 30))

    assert TaxKind.FLAT_DUTY not in result.totals
    assert TaxKind.DUTY not in result.totals


def test_eu_flat_duty_of_3_per_distinct_sub_heading_from_1_july_2026():
    result = eu(PARCEL_OF_TWO_SUB_HEADINGS, on=date(2026, 7, 1))

    assert result.totals[TaxKind.FLAT_DUTY] == D("6.00")  # 610910 and 851830
    assert amounts(result, TaxKind.FLAT_DUTY) == [D("3.00"), D("0"), D("3.00"), D("0")]
    assert result.totals[TaxKind.VAT] == D("9.50")  # 50 x 19 %: the duty is not in the base
    assert result.tax_total == D("15.50")
    flat = result.lines[0].taxes[0]
    assert (flat.base, flat.rate, flat.amount) == (D("1"), D("3.00"), D("3.00"))


def test_eu_flat_duty_ends_on_1_july_2028_and_hs_duty_applies():
    result = eu(PARCEL_OF_TWO_SUB_HEADINGS, on=date(2028, 7, 1))

    assert TaxKind.FLAT_DUTY not in result.totals
    assert amounts(result, TaxKind.DUTY) == [D("1.20"), D("1.20"), D("0.54"), D("1.20")]


def test_eu_flat_duty_does_not_apply_above_150():
    result = eu([line("100", currency="EUR"), line("60", currency="EUR", hs="8518300095")])

    assert result.regime.code == "EU_IMPORT"
    assert TaxKind.FLAT_DUTY not in result.totals


# -- UK, Australia, Singapore, US -----------------------------------------------------------


def test_uk_exactly_135_is_vat_at_sale_135_01_is_import():
    at = run([line("135", currency="GBP")], destination="GB", mode=EXPORT)
    over = run([line("135.01", currency="GBP")], destination="GB", mode=EXPORT)

    assert (at.regime.code, at.totals[TaxKind.VAT], at.collected_at_checkout) == (
        "GB_LVG",
        D("27.00"),
        True,
    )
    assert (over.regime.code, over.collected_at_checkout) == ("GB_IMPORT", False)
    assert amounts(over, TaxKind.DUTY) == [D("16.20")]  # 135.01 x 12 %
    assert amounts(over, TaxKind.VAT) == [D("30.24")]  # (135.01 + 16.2012) x 20 %


def test_uk_alcohol_is_blocked_at_low_value():
    result = run([line("30", currency="GBP", hs="2208300000")], destination="GB", mode=EXPORT)

    assert codes(result) == ["excise_not_allowed"]


def test_australia_gst_at_checkout_up_to_1000_then_at_the_border():
    at = run([line("1000", currency="AUD")], destination="AU", mode=EXPORT)
    over = run([line("1000.01", currency="AUD")], destination="AU", mode=EXPORT)

    assert (at.regime.code, at.totals[TaxKind.GST], at.collected_at_checkout) == (
        "AU_LVG",
        D("100.00"),
        True,
    )
    assert (over.regime.code, over.collected_at_checkout, over.blocked) == (
        "AU_IMPORT",
        False,
        False,
    )
    assert over.totals[TaxKind.GST] == D("100.00")  # estimate: 1000.01 x 10 % = 100.001
    assert "taxes_on_arrival" in [notice.code for notice in over.notices]


def test_singapore_gst_at_checkout_up_to_400_then_at_the_border():
    at = run([line("400", currency="SGD")], destination="SG", mode=EXPORT)
    over = run([line("400.01", currency="SGD")], destination="SG", mode=EXPORT)

    assert (at.regime.code, at.totals[TaxKind.GST]) == ("SG_LVG", D("36.00"))
    assert (over.regime.code, over.collected_at_checkout) == ("SG_IMPORT", False)


def test_us_de_minimis_800_until_28_august_2025():
    day = date(2025, 8, 28)
    at = run([line("800", currency="USD")], destination="US", mode=EXPORT, on=day)
    over = run([line("800.01", currency="USD")], destination="US", mode=EXPORT, on=day)

    assert (at.regime.code, at.tax_total, at.lines[0].taxes) == ("US_LV", D("0"), ())
    assert over.regime.code == "US_DUTY"
    assert over.tax_total == D("128.00")  # 800.01 x 16 %


def test_us_no_de_minimis_from_29_august_2025():
    result = run([line("10", currency="USD")], destination="US", mode=EXPORT, on=date(2025, 8, 29))

    assert result.regime.code == "US_DUTY"
    assert result.switched_from == ""
    assert result.tax_total == D("1.60")
