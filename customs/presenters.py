"""A quote result as the shopper or operator reads it: texts in one language, money as strings.

The API's response and the back office's "try a quote" page show the same thing, so both
use ``quote_view``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy

from customs.codec import line_to_json, tax_kind_name
from customs.engine import InvalidRequestError, MissingFxRateError, NoRegimeError, QuoteResult


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def quote_view(
    result: QuoteResult,
    *,
    language: str,
    order_date: date,
    yearly_limit: Decimal | None = None,
    show_yearly: bool = False,
) -> dict:
    """The breakdown in ``language``; the yearly figures only with ``show_yearly`` (the buyer
    was identified: without an identity number "remaining" would be a guess)."""
    zh = language.lower().replace("_", "-") == "zh-hans"
    return {
        "regime": {
            "code": result.regime.code,
            "name": result.regime.zh_hans if zh else result.regime.en,
            "effective_from": result.regime.effective_from,
        },
        "currency": result.currency,
        "order_date": order_date,
        "blocked": result.blocked,
        "blocking": [{"code": m.code, "message": m.text(language)} for m in result.blocking],
        "notices": [{"code": m.code, "message": m.text(language)} for m in result.notices],
        "collected_at_checkout": result.collected_at_checkout,
        "goods_value": str(result.goods_value),
        "freight": str(result.freight),
        "insurance": str(result.insurance),
        "dutiable_value": str(result.dutiable_value),
        "non_cash_deductions": str(result.non_cash_deductions),
        "tax_total": str(result.tax_total),
        "waived_total": str(result.waived_total),
        "totals": [
            {"kind": str(kind), "name": tax_kind_name(kind, language), "amount": str(amount)}
            for kind, amount in result.totals.items()
        ],
        "lines": [line_to_json(line, language) for line in result.lines],
        "switched_from": result.switched_from,
        "yearly_limit": _money(yearly_limit) if show_yearly else None,
        "yearly_remaining": _money(result.yearly_remaining) if show_yearly else None,
        "yearly_counted": _money(result.yearly_counted) if show_yearly else None,
    }


# Rules the engine states in English (InvalidRequestError.rule) that input checks before it
# cannot all catch (an order cut is compared with goods in several currencies).
_RULES = {
    "must not exceed the goods value": gettext_lazy(
        "The order discount cannot be more than the goods."
    ),
    "must not exceed quantity x unit price": gettext_lazy(
        "The discount cannot be more than quantity × unit price."
    ),
    "an order needs at least one line": gettext_lazy("An order needs at least one line."),
}


def engine_error_fields(exc: Exception, *, currencies: list[str], language: str) -> dict:
    """Field -> [message] for an engine error, in the active language.

    ``currencies`` are the lines' currencies in order, to point a missing FX rate at the
    first line priced in that currency (``lines[0].currency``).
    """
    if isinstance(exc, NoRegimeError):
        return {"mode": [exc.message.text(language)]}
    if isinstance(exc, MissingFxRateError):
        field = (
            f"lines[{currencies.index(exc.currency)}].currency"
            if exc.currency in currencies
            else "currency"
        )
        return {
            field: [
                gettext("No exchange rate from %(currency)s into %(into)s is set.")
                % {"currency": exc.currency, "into": exc.into}
            ]
        }
    if isinstance(exc, InvalidRequestError):
        return {exc.field: [str(_RULES.get(exc.rule, exc.rule))]}
    return {"non_field_errors": [str(exc)]}
