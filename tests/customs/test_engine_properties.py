"""Properties that hold for any order in any regime (Hypothesis): totals are sums of the lines,
no tax is negative, allocations add up, and paying more never lowers a line's tax."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from customs.engine import (
    FLAG_CHILDRENS_CLOTHING,
    FLAG_HIGH_END_COSMETIC,
    FLAG_HIGH_END_WATCH,
    ClearanceMode,
    LineItem,
    QuoteRequest,
    QuoteResult,
    allocate,
    quote,
)
from tests.customs.helpers import BOOK

# The project's autouse fixtures are function-scoped; they do not hold state these tests use.
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

SCENARIOS = [
    ("CN", ClearanceMode.DIRECT, "CNY", date(2026, 11, 22)),
    ("CN", ClearanceMode.BONDED, "CNY", date(2026, 11, 22)),
    ("CN", ClearanceMode.PERSONAL_PARCEL, "CNY", date(2026, 11, 22)),
    ("CN", ClearanceMode.GENERAL_TRADE, "CNY", date(2026, 11, 22)),
    ("DE", ClearanceMode.EXPORT_RETAIL, "EUR", date(2026, 3, 1)),
    ("DE", ClearanceMode.EXPORT_RETAIL, "EUR", date(2026, 11, 22)),
    ("FR", ClearanceMode.EXPORT_RETAIL, "EUR", date(2028, 8, 1)),
    ("GB", ClearanceMode.EXPORT_RETAIL, "GBP", date(2026, 11, 22)),
    ("US", ClearanceMode.EXPORT_RETAIL, "USD", date(2026, 11, 22)),
    ("US", ClearanceMode.EXPORT_RETAIL, "USD", date(2025, 1, 1)),
    ("AU", ClearanceMode.EXPORT_RETAIL, "AUD", date(2026, 11, 22)),
    ("SG", ClearanceMode.EXPORT_RETAIL, "SGD", date(2026, 11, 22)),
]

# One string, split below, so the list reads as a table rather than one code per line.
_HS_TABLE = """
    6109100022 3304990099 3303001000 2204210000 2208300000 4901990000 0402210000 1901101000
    2106909090 4202210000 6403990000 8471300000 8517130000 8518300095 9101110000 9102110000
    9503006100 9506310000 9506320000 9999999999 3304
"""
HS_CODES = _HS_TABLE.split()
FLAGS = [FLAG_HIGH_END_COSMETIC, FLAG_HIGH_END_WATCH, FLAG_CHILDRENS_CLOTHING]


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Money amounts from low to high cents."""
    return st.integers(low, high).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def line_items(draw: st.DrawFn, currency: str) -> LineItem:
    quantity = draw(st.integers(1, 4))
    price = draw(cents(0, 200_000))
    discount = draw(cents(0, int(price * quantity * 100)))
    return LineItem(
        sku=draw(st.text("ABCDEFG", min_size=1, max_size=4)),
        hs_code=draw(st.sampled_from(HS_CODES)),
        quantity=quantity,
        unit_price=price,
        currency=currency,
        discount=draw(st.sampled_from([Decimal(0), discount])),
        attributes=frozenset(draw(st.lists(st.sampled_from(FLAGS), max_size=2))),
    )


@st.composite
def requests(draw: st.DrawFn, *, charges: bool = True, order_cut: bool = True) -> QuoteRequest:
    """Orders in every scenario; ``charges`` adds freight and insurance, ``order_cut`` an
    order-level price cut."""
    destination, mode, currency, day = draw(st.sampled_from(SCENARIOS))
    lines = draw(st.lists(line_items(currency), min_size=1, max_size=6))
    amounts = cents(0, 10_000) if charges else st.just(Decimal(0))
    goods = sum((item.unit_price * item.quantity - item.discount for item in lines), Decimal(0))
    return QuoteRequest(
        destination=destination,
        mode=mode,
        order_date=day,
        currency=currency,
        lines=tuple(lines),
        freight=draw(amounts),
        insurance=draw(amounts),
        order_discount=draw(cents(0, int(goods * 100))) if order_cut else Decimal(0),
        non_cash_deductions=draw(cents(0, 5_000)),
        buyer_year_to_date=draw(cents(0, 2_700_000)),
    )


def line_amounts(result: QuoteResult, index: int) -> dict[str, Decimal]:
    return {tax.kind.value: tax.amount for tax in result.lines[index].taxes}


@PROPERTY
@given(requests())
def test_totals_are_the_sums_of_the_rounded_line_taxes(req: QuoteRequest):
    result = quote(req, BOOK)

    by_kind: dict = {}
    waived = Decimal(0)
    for ln in result.lines:
        assert ln.tax_total == sum((tax.due for tax in ln.taxes), Decimal(0))
        for tax in ln.taxes:
            by_kind[tax.kind] = by_kind.get(tax.kind, Decimal(0)) + tax.due
            waived += tax.amount if tax.waived else 0
            assert tax.amount == tax.amount.quantize(Decimal("0.01"))
    assert dict(result.totals) == by_kind
    assert result.tax_total == sum(result.totals.values(), Decimal(0))
    assert result.tax_total == sum((ln.tax_total for ln in result.lines), Decimal(0))
    assert result.waived_total == waived
    assert result.goods_value == sum((ln.goods_value for ln in result.lines), Decimal(0))
    assert result.freight == sum((ln.freight for ln in result.lines), Decimal(0))
    assert result.insurance == sum((ln.insurance for ln in result.lines), Decimal(0))
    assert result.dutiable_value == sum((ln.dutiable_value for ln in result.lines), Decimal(0))
    if result.blocked:
        assert result.tax_total == 0 and all(ln.taxes == () for ln in result.lines)


@PROPERTY
@given(requests())
def test_no_tax_or_value_is_ever_negative(req: QuoteRequest):
    result = quote(req, BOOK)

    for ln in result.lines:
        assert min(ln.goods_value, ln.freight, ln.insurance, ln.dutiable_value) >= 0
        for tax in ln.taxes:
            assert min(tax.amount, tax.base, tax.rate, tax.due) >= 0
    assert result.tax_total >= 0
    if result.yearly_remaining is not None:
        assert result.yearly_remaining >= 0


@PROPERTY
@given(requests(charges=False, order_cut=False), st.data())
def test_raising_a_price_never_lowers_tax_within_a_regime_and_band(
    req: QuoteRequest, data: st.DataObject
):
    index = data.draw(st.integers(0, len(req.lines) - 1))
    raised_by = data.draw(cents(1, 50_000))
    lines = list(req.lines)
    lines[index] = replace(lines[index], unit_price=lines[index].unit_price + raised_by)
    before = quote(req, BOOK)
    after = quote(replace(req, lines=tuple(lines)), BOOK)
    # Crossing a threshold changes the rules (that is the point of thresholds): stay in a band.
    assume(not before.blocked and not after.blocked)
    assume(before.regime.code == after.regime.code)

    assert after.tax_total >= before.tax_total
    old, new = line_amounts(before, index), line_amounts(after, index)
    assert all(new[kind] >= amount for kind, amount in old.items())


# Without an order-level cut: the cut's rounding remainder goes to the largest line, so a line
# that becomes the largest takes a cent more of the cut and its P can drop by that cent.
@PROPERTY
@given(requests(order_cut=False), st.data())
def test_with_freight_a_raised_lines_own_p_and_taxes_never_fall(
    req: QuoteRequest, data: st.DataObject
):
    index = data.draw(st.integers(0, len(req.lines) - 1))
    raised_by = data.draw(cents(1, 50_000))
    lines = list(req.lines)
    lines[index] = replace(lines[index], unit_price=lines[index].unit_price + raised_by)
    before = quote(req, BOOK)
    after = quote(replace(req, lines=tuple(lines)), BOOK)
    assume(not before.blocked and not after.blocked)
    assume(before.regime.code == after.regime.code)

    assert after.lines[index].dutiable_value >= before.lines[index].dutiable_value
    old, new = line_amounts(before, index), line_amounts(after, index)
    assert all(new[kind] >= amount for kind, amount in old.items())


@PROPERTY
@given(cents(0, 1_000_000), st.lists(cents(0, 500_000), min_size=1, max_size=12))
def test_allocation_adds_up_and_no_share_is_negative(total: Decimal, weights: list[Decimal]):
    shares = allocate(total, weights, Decimal("0.01"))

    assert sum(shares, Decimal(0)) == total
    assert all(share >= 0 for share in shares)


@PROPERTY
@given(st.lists(cents(0, 500_000), min_size=1, max_size=12), st.data())
def test_a_capped_cut_never_exceeds_a_lines_value(weights: list[Decimal], data: st.DataObject):
    total = data.draw(cents(0, int(sum(weights, Decimal(0)) * 100)))

    shares = allocate(total, weights, Decimal("0.01"), capped=True)

    assert sum(shares, Decimal(0)) == total
    assert all(0 <= share <= weight for share, weight in zip(shares, weights, strict=True))
