"""One calculator per regime arithmetic (types.Calculator), each a plain function over lines.

A calculator gets lines whose dutiable value P is already settled (converted, cut, freight
and insurance allocated) and returns each line's taxes. Rules shared by all of them:

- every tax of every line is computed from unrounded inputs (P, the rates, and the unrounded
  duty or consumption tax where a later tax builds on them) and rounded half-up once;
- where a formula divides by (1 - c), the multiplications come first and the division last:
  a product of decimals is exact, and dividing once keeps an exact half-way result exact.
  A precomputed factor is not: 0.091 / 0.85 is cut at 28 digits, so P = 4.25 would give a VAT
  of 0.45499...98 and round to 0.45 instead of 0.455 -> 0.46.

Calculators run inside calculate.quote's decimal context (28 digits).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .messages import make_message
from .rates import RateBook
from .types import (
    ONE,
    ZERO,
    Calculator,
    InvalidRequestError,
    LineItem,
    LowValueDuty,
    Message,
    RateBookError,
    RateRow,
    RegimeRow,
    TaxKind,
    TaxLine,
    format_amount,
)

_DUTY = TaxKind.DUTY
_FLAT_DUTY = TaxKind.FLAT_DUTY
_CT = TaxKind.CONSUMPTION_TAX
_POSTAL = TaxKind.POSTAL_TAX


@dataclass(slots=True)
class PreparedLine:
    """A line ready for a calculator: its rate row and values in the regime currency."""

    item: LineItem
    rate: RateRow
    goods: Decimal
    freight: Decimal
    insurance: Decimal
    dutiable: Decimal  # P


Taxes = tuple[TaxLine, ...]
Outcome = tuple[list[Taxes], list[Message]]
CalculatorFn = Callable[
    [RegimeRow, Sequence[PreparedLine], RateBook, Decimal, Decimal | None], Outcome
]


def _vat_rate(rate: RateRow, standard: Decimal | None, regime: RegimeRow) -> Decimal:
    if rate.vat_rate is not None:
        return rate.vat_rate
    if standard is None:
        raise RateBookError(f"regime {regime.code}: no standard VAT rate for the destination")
    return standard


def cn_cbec(
    regime: RegimeRow,
    lines: Sequence[PreparedLine],
    book: RateBook,
    q: Decimal,
    standard_vat: Decimal | None,
) -> Outcome:
    """China cross-border retail import within the limits.

    Tariff 0; CT = P / (1 - c) x c x k and VAT = P / (1 - c) x v x k with k the regime's
    tax factor (0.7). The VAT base includes the statutory consumption tax.
    """
    k = regime.tax_factor
    vat_kind = regime.vat_kind or TaxKind.VAT
    zero = ZERO.quantize(q)
    out: list[Taxes] = []
    for line in lines:
        rate = line.rate
        p = line.dutiable
        v = _vat_rate(rate, standard_vat, regime)
        c = rate.ct_rate
        if c:
            denom = ONE - c
            ct = (p * c * k / denom).quantize(q, ROUND_HALF_UP)
            vat = (p * v * k / denom).quantize(q, ROUND_HALF_UP)
            base = (p / denom).quantize(q, ROUND_HALF_UP)
        else:
            ct = zero
            vat = (p * v * k).quantize(q, ROUND_HALF_UP)
            base = p
        out.append(
            (
                TaxLine(_DUTY, p, ZERO, ONE, zero),
                TaxLine(_CT, base, c, k, ct),
                TaxLine(vat_kind, base, v, k, vat),
            )
        )
    return out, []


def cn_general(
    regime: RegimeRow,
    lines: Sequence[PreparedLine],
    book: RateBook,
    q: Decimal,
    standard_vat: Decimal | None,
) -> Outcome:
    """China general trade, also used for a single item over the cross-border limit.

    D = P x d; CT = (P + D) / (1 - c) x c; VAT = (P + D + CT) x v, with the unrounded D and CT.
    Full rates: the regime's tax factor does not apply.
    """
    vat_kind = regime.vat_kind or TaxKind.VAT
    zero = ZERO.quantize(q)
    out: list[Taxes] = []
    for line in lines:
        rate = line.rate
        p = line.dutiable
        v = _vat_rate(rate, standard_vat, regime)
        d = rate.duty_rate
        c = rate.ct_rate
        duty_raw = p * d
        with_duty = p + duty_raw
        if c:
            denom = ONE - c
            ct = (with_duty * c / denom).quantize(q, ROUND_HALF_UP)
            # P + D + CT with the unrounded CT is (P + D) / (1 - c).
            vat = (with_duty * v / denom).quantize(q, ROUND_HALF_UP)
            base = (with_duty / denom).quantize(q, ROUND_HALF_UP)
        else:
            ct = zero
            vat = (with_duty * v).quantize(q, ROUND_HALF_UP)
            base = with_duty.quantize(q, ROUND_HALF_UP)
        out.append(
            (
                TaxLine(_DUTY, p, d, ONE, duty_raw.quantize(q, ROUND_HALF_UP)),
                TaxLine(_CT, base, c, ONE, ct),
                TaxLine(vat_kind, base, v, ONE, vat),
            )
        )
    return out, []


def cn_postal(
    regime: RegimeRow,
    lines: Sequence[PreparedLine],
    book: RateBook,
    q: Decimal,
    standard_vat: Decimal | None,
) -> Outcome:
    """China personal parcel: tax = P x postal rate per line; waived when the parcel's rounded
    total is at or below the regime's waiver threshold (50.00 CNY), else due in full.
    """
    rates: list[Decimal] = []
    amounts: list[Decimal] = []
    for line in lines:
        override = line.item.postal_category
        if override and not book.has_postal_category(override):
            raise InvalidRequestError("postal_category", f"unknown category {override!r}")
        r = book.postal_rate(override or line.rate.postal_category)
        rates.append(r)
        amounts.append((line.dutiable * r).quantize(q, ROUND_HALF_UP))
    total = sum(amounts, ZERO)
    threshold = regime.waiver_threshold
    waived = threshold is not None and total <= threshold
    out: list[Taxes] = [
        (TaxLine(_POSTAL, line.dutiable, r, ONE, amount, waived),)
        for line, r, amount in zip(lines, rates, amounts, strict=True)
    ]
    notices: list[Message] = []
    if waived and total and threshold is not None:
        notices.append(
            make_message(
                "postal_tax_waived",
                amount=format_amount(total, regime.currency),
                threshold=format_amount(threshold, regime.currency),
                currency=regime.currency,
            )
        )
    return out, notices


def low_value(
    regime: RegimeRow,
    lines: Sequence[PreparedLine],
    book: RateBook,
    q: Decimal,
    standard_vat: Decimal | None,
) -> Outcome:
    """VAT/GST charged at checkout on a low-value consignment (EU IOSS, UK, AU, SG, US de minimis).

    VAT = P x v. Duty per ``regime.low_value_duty``: none; a flat amount once per distinct
    6-digit tariff sub-heading, charged on the first line with that sub-heading; or P x d.
    The VAT base does not include the duty: the VAT is on the sale, charged before import.
    """
    vat_kind = regime.vat_kind
    duty_mode = regime.low_value_duty
    flat = regime.flat_duty_amount.quantize(q, ROUND_HALF_UP)
    seen_headings: set[str] = set()
    out: list[Taxes] = []
    for line in lines:
        p = line.dutiable
        taxes: list[TaxLine] = []
        if duty_mode is LowValueDuty.FLAT_PER_SUBHEADING:
            heading = line.item.hs_code[:6]
            if heading not in seen_headings:
                seen_headings.add(heading)
                taxes.append(TaxLine(_FLAT_DUTY, ONE, flat, ONE, flat))
        elif duty_mode is LowValueDuty.HS_RATE:
            d = line.rate.duty_rate
            taxes.append(TaxLine(_DUTY, p, d, ONE, (p * d).quantize(q, ROUND_HALF_UP)))
        if vat_kind is not None:
            v = _vat_rate(line.rate, standard_vat, regime)
            taxes.append(TaxLine(vat_kind, p, v, ONE, (p * v).quantize(q, ROUND_HALF_UP)))
        out.append(tuple(taxes))
    return out, []


def normal_import(
    regime: RegimeRow,
    lines: Sequence[PreparedLine],
    book: RateBook,
    q: Decimal,
    standard_vat: Decimal | None,
) -> Outcome:
    """Normal import: duty D = P x d; import VAT/GST = (P + D) x v with the unrounded D."""
    vat_kind = regime.vat_kind
    out: list[Taxes] = []
    for line in lines:
        p = line.dutiable
        d = line.rate.duty_rate
        duty_raw = p * d
        duty = TaxLine(_DUTY, p, d, ONE, duty_raw.quantize(q, ROUND_HALF_UP))
        if vat_kind is None:
            out.append((duty,))
            continue
        v = _vat_rate(line.rate, standard_vat, regime)
        base = p + duty_raw
        vat = (base * v).quantize(q, ROUND_HALF_UP)
        out.append((duty, TaxLine(vat_kind, base.quantize(q, ROUND_HALF_UP), v, ONE, vat)))
    return out, []


CALCULATORS: dict[Calculator, CalculatorFn] = {
    Calculator.CN_CBEC: cn_cbec,
    Calculator.CN_GENERAL: cn_general,
    Calculator.CN_POSTAL: cn_postal,
    Calculator.LOW_VALUE: low_value,
    Calculator.IMPORT: normal_import,
}
