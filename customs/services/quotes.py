"""The synchronous duty quote: fast enough for every cart and checkout page.

``duty_quote`` takes the order as the shopper sees it, fills in what the engine needs from
the platform (FX rates from the operator's table, the buyer's year-to-date total from the
quota ledger, today's date) and prices it against the cached RateBook. Rate data is not
read from the database unless an operator changed it (see ``customs.selectors``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, localcontext

from django.utils import timezone

from customs.engine import (
    ClearanceMode,
    LineItem,
    QuoteRequest,
    QuoteResult,
    RateBook,
    quote,
)
from customs.identity import validate_id_number
from customs.selectors import (
    QUOTA_DESTINATION,
    quota_digest,
    quota_used_by_digest,
    ratebook_current_versioned,
)
from marketplace.selectors import fx_rates_current

ZERO = Decimal(0)

# The catalog names a SKU's personal-parcel tax by its band (``catalog.PostalTaxCategory``:
# "13", "20", "50", the rates merchants know); the rate data names the same three by their
# 税目 (customs/seed/postal_categories.csv: "1" 13 %, "2" 20 %, "3" 50 %). This is the one
# translation, applied to every quote's lines; a line already naming a 税目 is left alone.
POSTAL_CATEGORY_OF_BAND = {"13": "1", "20": "2", "50": "3"}


def _postal_categories(lines: Sequence[LineItem]) -> tuple[LineItem, ...]:
    return tuple(
        replace(line, postal_category=POSTAL_CATEGORY_OF_BAND[line.postal_category])
        if line.postal_category in POSTAL_CATEGORY_OF_BAND
        else line
        for line in lines
    )


def fx_rates_into(currency: str, base_rates: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Re-express the operator's rates (base-currency units per unit) as ``currency`` units
    per unit, the form the engine takes: rate(X into T) = rate(X) / rate(T).

    Unrounded (28 significant digits); the engine rounds each converted amount once. A
    target currency without a rate of its own gives no rates: only amounts already in it
    can be priced.
    """
    target = base_rates.get(currency)
    if target is None:
        return {}
    with localcontext() as ctx:
        ctx.prec = 28
        return {code: rate / target for code, rate in base_rates.items() if code != currency}


@dataclass(frozen=True, slots=True)
class PreparedQuote:
    """An engine request with everything filled in, and the rate data it is priced against."""

    request: QuoteRequest
    book: RateBook
    ratebook_version: str
    buyer_digest: str


def duty_quote_prepare(
    *,
    destination: str,
    mode: ClearanceMode | str,
    lines: Sequence[LineItem],
    currency: str | None = None,
    freight: Decimal = ZERO,
    insurance: Decimal = ZERO,
    order_discount: Decimal = ZERO,
    non_cash_deductions: Decimal = ZERO,
    id_number: str | None = None,
    fx_rates: Mapping[str, Decimal] | None = None,
    order_date: date | None = None,
) -> PreparedQuote:
    """Build the engine request for ``duty_quote`` (see there); raises what the engine raises.

    ``id_number`` is validated (ValidationError) and, for China, the buyer's counted total
    of ``order_date``'s year is read from the quota ledger (one query).
    """
    current = ratebook_current_versioned()
    book = current.book
    day = order_date or timezone.localdate()
    lines = _postal_categories(lines)
    digest = ""
    year_to_date = ZERO
    if id_number and destination == QUOTA_DESTINATION:
        digest = quota_digest(validate_id_number(id_number))
        year_to_date = quota_used_by_digest(digest=digest, year=day.year)
    request = QuoteRequest(
        destination=destination,
        mode=mode,
        order_date=day,
        # "XXX" (ISO 4217: no currency) lets an order without lines fail on its lines.
        currency=currency or (lines[0].currency if lines else "XXX"),
        lines=lines,
        freight=freight,
        insurance=insurance,
        order_discount=order_discount,
        non_cash_deductions=non_cash_deductions,
        buyer_year_to_date=year_to_date,
        fx_rates=fx_rates or {},
    )
    if fx_rates is None:
        # The regime (checked first, so bad input fails on its own field) names the currency
        # the rates must lead into; a switch target always shares it.
        regime = book.regime_for(request.destination, request.mode, day)
        request = replace(request, fx_rates=fx_rates_into(regime.currency, fx_rates_current()))
    return PreparedQuote(request, book, current.version, digest)


def duty_quote(
    *,
    destination: str,
    mode: ClearanceMode | str,
    lines: Sequence[LineItem],
    currency: str | None = None,
    freight: Decimal = ZERO,
    insurance: Decimal = ZERO,
    order_discount: Decimal = ZERO,
    non_cash_deductions: Decimal = ZERO,
    id_number: str | None = None,
    fx_rates: Mapping[str, Decimal] | None = None,
    order_date: date | None = None,
) -> QuoteResult:
    """Quote duties and taxes for one order (one parcel) now, against the current rate data.

    - ``currency``: of freight, insurance and the cuts (default: the first line's);
    - ``id_number``: the buyer's identity number; for China its year-to-date total comes from
      the quota ledger, so the result's ``yearly_remaining`` is the buyer's own;
    - ``fx_rates``: currency -> units of the regime currency per unit, frozen by the caller;
      by default the operator's current rates, converted into the regime currency;
    - ``order_date``: selects the regime version and VAT rate (default: today).

    Writes nothing. Raises the engine's errors (NoRegimeError, MissingFxRateError,
    InvalidRequestError) and ValidationError for a malformed identity number. Limits the
    order breaks come back as ``blocking`` reasons on the result.
    """
    prepared = duty_quote_prepare(
        destination=destination,
        mode=mode,
        lines=lines,
        currency=currency,
        freight=freight,
        insurance=insurance,
        order_discount=order_discount,
        non_cash_deductions=non_cash_deductions,
        id_number=id_number,
        fx_rates=fx_rates,
        order_date=order_date,
    )
    return quote(prepared.request, prepared.book)
