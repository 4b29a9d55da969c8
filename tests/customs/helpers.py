"""Builders shared by the engine tests: a RateBook from the shipped seed data, and requests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from customs.engine import (
    ClearanceMode,
    LineItem,
    QuoteRequest,
    QuoteResult,
    RateBook,
    load_ratebook,
    quote,
)
from customs.engine.loader import (
    SEED_DIR,
    read_postal_categories,
    read_rates,
    read_regimes,
    read_vat_rates,
)

BOOK = load_ratebook()  # immutable: one instance serves every test
TODAY = date(2026, 11, 22)

HS_ORDINARY = "6109100022"  # knitted T-shirt: VAT 13 %, no CT, postal category 2 (20 %)
HS_COSMETIC = "3304990099"
HS_BOOK = "4901990000"


def D(value: str | int) -> Decimal:
    """A Decimal from a literal, so tests read like the worked examples."""
    return Decimal(value)


def line(
    price: str | Decimal,
    *,
    hs: str = HS_ORDINARY,
    qty: int = 1,
    currency: str = "CNY",
    sku: str = "SKU",
    **extra: object,
) -> LineItem:
    """One order line; ``price`` is the unit price."""
    return LineItem(sku, hs, qty, Decimal(price), currency, **extra)  # type: ignore[arg-type]


def request(
    lines: Iterable[LineItem],
    *,
    destination: str = "CN",
    mode: ClearanceMode = ClearanceMode.DIRECT,
    on: date = TODAY,
    currency: str | None = None,
    **extra: object,
) -> QuoteRequest:
    """A request; the order currency defaults to the first line's."""
    lines = tuple(lines)
    return QuoteRequest(
        destination=destination,
        mode=mode,
        order_date=on,
        currency=currency or lines[0].currency,
        lines=lines,
        **extra,  # type: ignore[arg-type]
    )


def run(lines: Iterable[LineItem], **kwargs: object) -> QuoteResult:
    """Quote against the shipped seed data."""
    return quote(request(lines, **kwargs), BOOK)  # type: ignore[arg-type]


def book_with(code: str, **changes: object) -> RateBook:
    """The shipped data with every version of regime ``code`` changed as given."""
    regimes = [
        replace(row, **changes) if row.code == code else row  # type: ignore[arg-type]
        for row in read_regimes(SEED_DIR / "regimes.csv")
    ]
    return RateBook(
        regimes=regimes,
        rates=read_rates(SEED_DIR / "rates.csv"),
        postal_categories=read_postal_categories(SEED_DIR / "postal_categories.csv"),
        vat_rates=read_vat_rates(SEED_DIR / "vat_rates.csv"),
    )


def amounts(result: QuoteResult, kind: object) -> list[Decimal]:
    """The amount of tax ``kind`` on each line (0 where the line has none)."""
    return [
        next((tax.amount for tax in line.taxes if tax.kind == kind), Decimal(0))
        for line in result.lines
    ]
