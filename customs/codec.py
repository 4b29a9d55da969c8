"""The engine's requests and results as JSON-ready dicts (money as strings), and back.

Stored duty assessments keep their request and result in this form; the API and the
back office read the same shape. Money is a string of the Decimal (``"29.12"``), never a
float; dates are ISO strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from customs.engine import (
    TAX_KIND_NAMES,
    Calculator,
    LineItem,
    LineResult,
    Message,
    QuoteRequest,
    QuoteResult,
    RegimeRef,
    TaxKind,
    TaxLine,
)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def request_to_json(request: QuoteRequest) -> dict:
    """A QuoteRequest as a dict; ``buyer_year_to_date`` is kept apart by the caller."""
    return {
        "destination": request.destination,
        "mode": str(request.mode),
        "order_date": request.order_date.isoformat(),
        "currency": request.currency,
        "freight": str(request.freight),
        "insurance": str(request.insurance),
        "order_discount": str(request.order_discount),
        "non_cash_deductions": str(request.non_cash_deductions),
        "fx_rates": {code: str(rate) for code, rate in sorted(request.fx_rates.items())},
        "lines": [
            {
                "sku": line.sku,
                "hs_code": line.hs_code,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "currency": line.currency,
                "discount": str(line.discount),
                "postal_category": line.postal_category,
                "attributes": sorted(line.attributes),
                "has_product_record": line.has_product_record,
            }
            for line in request.lines
        ],
    }


def request_from_json(data: Mapping, *, buyer_year_to_date: Decimal = Decimal(0)) -> QuoteRequest:
    """Rebuild the QuoteRequest stored by ``request_to_json``."""
    return QuoteRequest(
        destination=data["destination"],
        mode=data["mode"],
        order_date=date.fromisoformat(data["order_date"]),
        currency=data["currency"],
        lines=tuple(
            LineItem(
                sku=line["sku"],
                hs_code=line["hs_code"],
                quantity=line["quantity"],
                unit_price=Decimal(line["unit_price"]),
                currency=line["currency"],
                discount=Decimal(line["discount"]),
                postal_category=line.get("postal_category", ""),
                attributes=frozenset(line.get("attributes", ())),
                has_product_record=line.get("has_product_record", True),
            )
            for line in data["lines"]
        ),
        freight=Decimal(data["freight"]),
        insurance=Decimal(data["insurance"]),
        order_discount=Decimal(data["order_discount"]),
        non_cash_deductions=Decimal(data["non_cash_deductions"]),
        buyer_year_to_date=buyer_year_to_date,
        fx_rates={code: Decimal(rate) for code, rate in data.get("fx_rates", {}).items()},
    )


def message_to_json(message: Message) -> dict:
    """A blocking reason or notice with both texts."""
    return {
        "code": message.code,
        "en": message.en,
        "zh_hans": message.zh_hans,
        "params": dict(message.params),
    }


def result_to_json(result: QuoteResult) -> dict:
    """A QuoteResult as a dict: the per-line, per-tax breakdown with every amount a string."""
    return {
        "regime": {
            "code": result.regime.code,
            "en": result.regime.en,
            "zh_hans": result.regime.zh_hans,
            "effective_from": result.regime.effective_from.isoformat(),
            "calculator": str(result.regime.calculator),
        },
        "currency": result.currency,
        "blocked": result.blocked,
        "collected_at_checkout": result.collected_at_checkout,
        "goods_value": str(result.goods_value),
        "freight": str(result.freight),
        "insurance": str(result.insurance),
        "dutiable_value": str(result.dutiable_value),
        "non_cash_deductions": str(result.non_cash_deductions),
        "tax_total": str(result.tax_total),
        "waived_total": str(result.waived_total),
        "totals": {str(kind): str(amount) for kind, amount in result.totals.items()},
        "yearly_remaining": _money(result.yearly_remaining),
        "yearly_counted": str(result.yearly_counted),
        "switched_from": result.switched_from,
        "blocking": [message_to_json(m) for m in result.blocking],
        "notices": [message_to_json(m) for m in result.notices],
        "lines": [line_to_json(line) for line in result.lines],
    }


def message_from_json(data: Mapping) -> Message:
    """Rebuild a Message stored by ``message_to_json``."""
    return Message(
        data["code"], data["en"], data["zh_hans"], MappingProxyType(dict(data.get("params", {})))
    )


def result_from_json(data: Mapping) -> QuoteResult:
    """Rebuild the QuoteResult stored by ``result_to_json`` (a frozen assessment's result),
    so the declaration layer reads it through the engine (``order_message_amounts``)."""
    regime = data["regime"]

    def money(value):
        return None if value is None else Decimal(value)

    return QuoteResult(
        regime=RegimeRef(
            code=regime["code"],
            en=regime["en"],
            zh_hans=regime["zh_hans"],
            effective_from=date.fromisoformat(regime["effective_from"]),
            calculator=Calculator(regime["calculator"]),
        ),
        currency=data["currency"],
        lines=tuple(
            LineResult(
                sku=line["sku"],
                hs_code=line["hs_code"],
                hs_prefix=line["hs_prefix"],
                rate_flag=line["rate_flag"],
                goods_value=Decimal(line["goods_value"]),
                freight=Decimal(line["freight"]),
                insurance=Decimal(line["insurance"]),
                dutiable_value=Decimal(line["dutiable_value"]),
                taxes=tuple(
                    TaxLine(
                        kind=TaxKind(tax["kind"]),
                        base=Decimal(tax["base"]),
                        rate=Decimal(tax["rate"]),
                        factor=Decimal(tax["factor"]),
                        amount=Decimal(tax["amount"]),
                        waived=tax["waived"],
                    )
                    for tax in line["taxes"]
                ),
                tax_total=Decimal(line["tax_total"]),
            )
            for line in data["lines"]
        ),
        totals={TaxKind(kind): Decimal(amount) for kind, amount in data["totals"].items()},
        tax_total=Decimal(data["tax_total"]),
        waived_total=Decimal(data["waived_total"]),
        goods_value=Decimal(data["goods_value"]),
        freight=Decimal(data["freight"]),
        insurance=Decimal(data["insurance"]),
        dutiable_value=Decimal(data["dutiable_value"]),
        non_cash_deductions=Decimal(data["non_cash_deductions"]),
        blocking=tuple(message_from_json(m) for m in data["blocking"]),
        notices=tuple(message_from_json(m) for m in data["notices"]),
        collected_at_checkout=data["collected_at_checkout"],
        yearly_remaining=money(data["yearly_remaining"]),
        yearly_counted=Decimal(data["yearly_counted"]),
        switched_from=data.get("switched_from", ""),
    )


def line_to_json(line, language: str | None = None) -> dict:
    """One line's breakdown as JSON (money as strings). With ``language``, each tax also
    carries its name in that language (the API's shape; the stored shape has no names)."""
    taxes = []
    for tax in line.taxes:
        row = {"kind": str(tax.kind)}
        if language is not None:
            row["name"] = tax_kind_name(tax.kind, language)
        row.update(
            base=str(tax.base),
            rate=str(tax.rate),
            factor=str(tax.factor),
            amount=str(tax.amount),
            waived=tax.waived,
            due=str(tax.due),
        )
        taxes.append(row)
    return {
        "sku": line.sku,
        "hs_code": line.hs_code,
        "hs_prefix": line.hs_prefix,
        "rate_flag": line.rate_flag,
        "goods_value": str(line.goods_value),
        "freight": str(line.freight),
        "insurance": str(line.insurance),
        "dutiable_value": str(line.dutiable_value),
        "tax_total": str(line.tax_total),
        "taxes": taxes,
    }


def tax_kind_name(kind: str | TaxKind, language: str) -> str:
    """The name of a tax kind in ``language`` ("en" or "zh-hans")."""
    names = TAX_KIND_NAMES.get(TaxKind(kind))
    if names is None:
        return str(kind)
    return names["zh-hans"] if language.lower().replace("_", "-") == "zh-hans" else names["en"]


def message_text(message: Mapping | Message, language: str) -> str:
    """A stored or live message's text in ``language``."""
    if isinstance(message, Message):
        return message.text(language)
    zh = language.lower().replace("_", "-") == "zh-hans"
    return message["zh_hans"] if zh else message["en"]
