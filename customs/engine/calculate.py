"""The entry point: ``quote(request, ratebook) -> QuoteResult``.

Steps, in this order (docs/TAXES.md explains each decision):

1. select the regime by destination, clearance mode and order date;
2. convert every amount into the regime currency at the caller's frozen rates, rounding each
   converted amount half-up to the minor unit once;
3. apply real price cuts (per line, then the order-level cut pro rata), giving goods values;
4. allocate freight and insurance pro rata by goods value (shares rounded down, remainder to
   the largest line, first on ties), giving each line's dutiable value P;
5. check the regime's limits: pass, switch regime, tax a single indivisible item at general
   trade rates, or block; then the yearly limit, excise goods and product records;
6. run the regime's calculator and add up rounded line taxes into totals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from types import MappingProxyType
from typing import NamedTuple

from .messages import make_message, regime_name
from .rates import RateBook
from .regimes import CALCULATORS, PreparedLine, Taxes
from .types import (
    FLAG_EXCISE,
    ZERO,
    Calculator,
    IndivisiblePolicy,
    InvalidRequestError,
    LimitBasis,
    LineResult,
    Message,
    MissingFxRateError,
    OrderMessageAmounts,
    QuoteRequest,
    QuoteResult,
    RegimeRef,
    RegimeRow,
    TaxKind,
    format_amount,
    quantum,
)

# One context for every quote: the caller's thread context may have been lowered or loosened
# elsewhere; money must not depend on that. Arithmetic rounding here only matters past 28
# digits; every rounding that shows in money is an explicit quantize.
_CONTEXT = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


def quote(request: QuoteRequest, ratebook: RateBook) -> QuoteResult:
    """Quote duties and taxes for one order (one parcel) under the regime that applies to it.

    Raises NoRegimeError (with a shopper-facing message) when no regime is set up for the
    destination, mode and date, MissingFxRateError when an amount's currency has no rate, and
    InvalidRequestError for an order-level cut larger than the goods. Limits the order breaks
    are not errors: they come back as ``blocking`` messages on the result.
    """
    with localcontext(_CONTEXT):
        return _quote(request, ratebook)


def allocate(
    total: Decimal, weights: Sequence[Decimal], q: Decimal, *, capped: bool = False
) -> list[Decimal]:
    """Split ``total`` pro rata by ``weights`` in minor units ``q``.

    Every share is rounded down, and the remainder goes to the line with the largest weight
    (the first of equal ones), so shares always add up to ``total`` and none is negative:
    10.00 over three equal lines is 3.34 / 3.33 / 3.33. With ``capped`` (a price cut) no share
    exceeds its weight; what the largest line cannot take goes to the others in line order.
    """
    n = len(weights)
    if n == 1:
        return [total]
    largest = max(range(n), key=weights.__getitem__)  # max() keeps the first of equals
    weight_sum = sum(weights, ZERO)
    if not weight_sum:
        shares = [ZERO.quantize(q)] * n
        shares[largest] = total
        return shares
    shares = [(total * w / weight_sum).quantize(q, ROUND_DOWN) for w in weights]
    shares[largest] = ZERO
    shares[largest] = total - sum(shares, ZERO)
    if capped and shares[largest] > weights[largest]:
        overflow = shares[largest] - weights[largest]
        shares[largest] = weights[largest]
        for i in range(n):
            room = weights[i] - shares[i]
            if room > 0:
                take = min(room, overflow)
                shares[i] += take
                overflow -= take
                if not overflow:
                    break
    return shares


def order_message_amounts(result: QuoteResult) -> OrderMessageAmounts:
    """The amounts of the CEB311 order message for a cross-border retail import quote.

    goodsValue is the real transaction price (non-cash deductions still inside it), freight
    the freight and insurance the buyer pays on top, taxTotal the tax the platform withholds,
    discount the non-cash deductions, and acturalPaid = goodsValue + freight + taxTotal -
    discount, which the payment must equal to the fen.
    """
    if result.blocked:
        raise InvalidRequestError("quote", "a blocked quote cannot be declared")
    freight = result.freight + result.insurance
    tax = (
        result.tax_total
        if result.collected_at_checkout
        else ZERO.quantize(quantum(result.currency))
    )
    return OrderMessageAmounts(
        goods_value=result.goods_value,
        freight=freight,
        tax_total=tax,
        discount=result.non_cash_deductions,
        actual_paid=result.goods_value + freight + tax - result.non_cash_deductions,
    )


def _convert(
    amount: Decimal, currency: str, into: str, fx_rates: Mapping[str, Decimal], q: Decimal
) -> Decimal:
    if currency != into:
        rate = fx_rates.get(currency)
        if rate is None:
            raise MissingFxRateError(currency, into)
        amount = amount * rate
    return amount.quantize(q, ROUND_HALF_UP)


def _over_limit(regime: RegimeRow, value: Decimal, limit: Decimal) -> Message:
    currency = regime.currency
    params = {
        "value": format_amount(value, currency),
        "limit": format_amount(limit, currency),
        "currency": currency,
    }
    if regime.calculator is Calculator.CN_CBEC:
        return make_message("cbec_transaction_limit", **params)
    if regime.calculator is Calculator.CN_POSTAL:
        return make_message("parcel_limit", **params)
    return make_message("over_threshold", regime=regime_name(regime.code), **params)


class _Limits(NamedTuple):
    regime: RegimeRow  # the regime that applies after any switch
    switched_from: str
    full_rates: bool  # a single item over the limit, taxed at general-trade rates
    yearly_remaining: Decimal | None
    yearly_counted: Decimal


def _apply_limits(
    regime: RegimeRow,
    book: RateBook,
    request: QuoteRequest,
    goods_total: Decimal,
    dutiable_total: Decimal,
    blocking: list[Message],
    notices: list[Message],
) -> _Limits:
    """Check the transaction and yearly limits: pass, switch regime, or add blocking reasons.

    A single indivisible item over the transaction limit may pass (ALLOW) or pass at general
    trade rates (GENERAL_TRADE_RATES), but it still counts towards the yearly limit.
    """
    items = request.lines
    single = len(items) == 1 and items[0].quantity == 1
    switched_from = ""
    # At most two passes: a switch target never switches again (checked by the RateBook).
    while True:
        currency = regime.currency
        value = dutiable_total if regime.limit_basis is LimitBasis.DUTIABLE else goods_total
        policy = regime.indivisible_over_limit
        over_limit: Decimal | None = None  # the transaction limit, when the order breaks it
        full_rates = False
        limit = regime.transaction_limit
        if limit is not None and value > limit:
            if single and policy is IndivisiblePolicy.ALLOW:
                pass
            elif single and policy is IndivisiblePolicy.GENERAL_TRADE_RATES:
                full_rates = True
            else:
                over_limit = limit
        yearly_limit = regime.yearly_limit
        remaining: Decimal | None = None
        over_year: Decimal | None = None  # the yearly limit, when the order breaks it
        if yearly_limit is not None:
            remaining = max(yearly_limit - request.buyer_year_to_date, ZERO)
            remaining = remaining.quantize(quantum(currency))
            if value > remaining:
                over_year = yearly_limit

        broken = over_limit if over_limit is not None else over_year
        if broken is not None and regime.over_limit_regime:
            target = book.regime_by_code(regime.over_limit_regime, request.order_date)
            notices.append(
                make_message(
                    "regime_switched" if over_limit is not None else "regime_switched_yearly",
                    limit=format_amount(broken, currency),
                    currency=currency,
                    regime=regime_name(target.code),
                    previous=regime_name(regime.code),
                )
            )
            switched_from = regime.code
            regime = target
            continue

        if over_limit is not None:
            blocking.append(_over_limit(regime, value, over_limit))
        if over_year is not None and remaining is not None:
            blocking.append(
                make_message(
                    "cbec_yearly_limit",
                    value=format_amount(value, currency),
                    limit=format_amount(over_year, currency),
                    remaining=format_amount(remaining, currency),
                    currency=currency,
                )
            )
        elif full_rates and limit is not None:
            notices.append(
                make_message(
                    "general_trade_rates", limit=format_amount(limit, currency), currency=currency
                )
            )
        counted = value if remaining is not None else ZERO.quantize(quantum(currency))
        return _Limits(regime, switched_from, full_rates, remaining, counted)


def _quote(request: QuoteRequest, book: RateBook) -> QuoteResult:
    on = request.order_date
    regime = book.regime_for(request.destination, request.mode, on)
    currency = regime.currency
    q = quantum(currency)
    zero = ZERO.quantize(q)
    fx = request.fx_rates
    items = request.lines
    n = len(items)

    # Converted amounts are money from here on: rounded once, to the regime's minor unit.
    nets = [
        _convert(item.unit_price * item.quantity - item.discount, item.currency, currency, fx, q)
        for item in items
    ]
    order_currency = request.currency

    def order_amount(amount: Decimal) -> Decimal:
        # Zero needs no rate: an order without freight must not demand an FX rate for it.
        return _convert(amount, order_currency, currency, fx, q) if amount else zero

    cut = order_amount(request.order_discount)
    if cut:
        if cut > sum(nets, ZERO):
            raise InvalidRequestError("order_discount", "must not exceed the goods value")
        goods = [
            net - share
            for net, share in zip(nets, allocate(cut, nets, q, capped=True), strict=True)
        ]
    else:
        goods = nets
    freight = order_amount(request.freight)
    insurance = order_amount(request.insurance)
    freight_shares = allocate(freight, goods, q) if freight else [zero] * n
    insurance_shares = allocate(insurance, goods, q) if insurance else [zero] * n
    goods_total = sum(goods, zero)
    dutiable_total = goods_total + freight + insurance

    blocking: list[Message] = []
    notices: list[Message] = []
    limits = _apply_limits(regime, book, request, goods_total, dutiable_total, blocking, notices)
    regime = limits.regime

    table = regime.rate_table
    include_freight = regime.base_includes_freight
    check_excise = not regime.excise_allowed
    check_record = regime.requires_product_record
    prepared: list[PreparedLine] = []
    for item, g, f, i in zip(items, goods, freight_shares, insurance_shares, strict=True):
        rate = book.rate_for(table, item.hs_code, item.attributes)
        prepared.append(PreparedLine(item, rate, g, f, i, g + f + i if include_freight else g))
        if check_excise and (rate.excise or FLAG_EXCISE in item.attributes):
            blocking.append(
                make_message(
                    "excise_not_allowed",
                    sku=item.sku,
                    destination=request.destination,
                    regime=regime_name(regime.code),
                )
            )
        if check_record and not item.has_product_record:
            blocking.append(make_message("cbec_no_product_record", sku=item.sku))

    per_line: list[Taxes]
    if blocking:
        # A blocked order is not taxed: showing taxes for an order that cannot go through
        # would read as a price.
        per_line = [()] * n
    else:
        calculator = CALCULATORS[Calculator.CN_GENERAL if limits.full_rates else regime.calculator]
        standard_vat = book.standard_vat(request.destination, on) if regime.vat_kind else None
        per_line, extra = calculator(regime, prepared, book, q, standard_vat)
        notices.extend(extra)
        if regime.notice:
            notices.append(make_message(regime.notice))

    totals: dict[TaxKind, Decimal] = {}
    tax_total = zero
    waived_total = zero
    dutiable_sum = zero
    lines: list[LineResult] = []
    for line, taxes in zip(prepared, per_line, strict=True):
        line_due = zero
        for tax in taxes:
            if tax.waived:
                waived_total += tax.amount
                due = zero
            else:
                due = tax.amount
            line_due += due
            totals[tax.kind] = totals.get(tax.kind, zero) + due
        tax_total += line_due
        dutiable_sum += line.dutiable
        item = line.item
        lines.append(
            LineResult(
                item.sku,
                item.hs_code,
                line.rate.hs_prefix,
                line.rate.flag,
                line.goods,
                line.freight,
                line.insurance,
                line.dutiable,
                taxes,
                line_due,
            )
        )

    names = regime_name(regime.code)
    return QuoteResult(
        regime=RegimeRef(
            regime.code, names["en"], names["zh-hans"], regime.effective_from, regime.calculator
        ),
        currency=currency,
        lines=tuple(lines),
        totals=MappingProxyType(totals),
        tax_total=tax_total,
        waived_total=waived_total,
        goods_value=goods_total,
        freight=freight,
        insurance=insurance,
        dutiable_value=dutiable_sum,
        non_cash_deductions=order_amount(request.non_cash_deductions),
        blocking=tuple(blocking),
        notices=tuple(notices),
        collected_at_checkout=regime.collected_at_checkout,
        yearly_remaining=limits.yearly_remaining,
        yearly_counted=limits.yearly_counted,
        switched_from=limits.switched_from,
    )
