"""The field rules of the spec that the XSD cannot express, checked on every document we build.

The XSD checks shape and lengths; it cannot check that ``acturalPaid`` adds up, that line
numbers run 1..n, that a bonded list names its ledger, or that a total is price x qty. A
builder refuses a document that breaks one of these rules (:class:`CebRuleError`), so a
message customs would bounce is never produced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from . import types as t

_GUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
_FEN = Decimal("0.01")
MAX_LINES = 99


class CebRuleError(ValueError):
    """A document breaks a rule of the spec; ``violations`` are ``(field, rule)`` pairs."""

    def __init__(self, document: str, violations: Sequence[tuple[str, str]]):
        super().__init__(
            f"{document}: " + "; ".join(f"{field} {rule}" for field, rule in violations)
        )
        self.document = document
        self.violations = tuple(violations)


def _line_numbers(lines: Sequence, out: list[tuple[str, str]]) -> None:
    if not lines:
        out.append(("lines", "needs at least one line"))
    elif len(lines) > MAX_LINES:
        out.append(("lines", f"holds at most {MAX_LINES} lines"))
    numbers = [line.gnum for line in lines]
    if numbers != list(range(1, len(lines) + 1)):
        out.append(("gnum", "must run 1, 2, 3... without gaps, in order"))


def _line_total(line, out: list[tuple[str, str]], where: str) -> None:
    exact = line.price * line.qty
    if line.total_price not in (exact, exact.quantize(_FEN, ROUND_HALF_UP)):
        out.append((f"{where}.total_price", "must equal price x qty"))


def _common(doc, out: list[tuple[str, str]]) -> None:
    if not _GUID.match(doc.guid):
        out.append(("guid", "must be a 36-character upper-case UUID"))
    if getattr(doc, "currency", t.CURRENCY_CNY) != t.CURRENCY_CNY:
        out.append(("currency", "must be 142 (CNY)"))
    for name in ("buyer_id_type", "payer_id_type"):
        if getattr(doc, name, "1") != "1":
            out.append((name, "must be 1 (PRC identity card)"))
    for name, value in (("app_time", getattr(doc, "app_time", None)),):
        if value is not None and value.tzinfo is None:
            out.append((name, "must be timezone-aware"))


def order_violations(doc: t.OrderDoc) -> list[tuple[str, str]]:
    """The rules of CEB311: line numbers, totals, acturalPaid, the payment pair."""
    out: list[tuple[str, str]] = []
    _common(doc, out)
    if doc.order_type != "I":
        out.append(("order_type", "must be I (import)"))
    _line_numbers(doc.lines, out)
    for line in doc.lines:
        _line_total(line, out, f"lines[{line.gnum}]")
        if line.currency != t.CURRENCY_CNY:
            out.append((f"lines[{line.gnum}].currency", "must be 142 (CNY)"))
    goods = sum((line.total_price for line in doc.lines), Decimal(0))
    if doc.lines and doc.goods_value != goods:
        out.append(("goods_value", f"must equal the lines' total ({goods})"))
    for name in ("goods_value", "freight", "discount", "tax_total"):
        if getattr(doc, name) < 0:
            out.append((name, "must not be negative"))
    expected = doc.goods_value + doc.freight + doc.tax_total - doc.discount
    if doc.actual_paid != expected:
        out.append(("actual_paid", f"must equal goods + freight + tax - discount ({expected})"))
    if (doc.pay is None) != (doc.pay_transaction_id is None):
        out.append(("pay", "payCode and payTransactionId go together"))
    return out


def payment_violations(doc: t.PaymentDoc) -> list[tuple[str, str]]:
    """The rules of CEB411."""
    out: list[tuple[str, str]] = []
    _common(doc, out)
    if doc.amount_paid <= 0:
        out.append(("amount_paid", "must be positive"))
    return out


def waybill_violations(doc: t.WaybillDoc) -> list[tuple[str, str]]:
    """The rules of CEB511: one parcel per waybill."""
    out: list[tuple[str, str]] = []
    _common(doc, out)
    if doc.pack_no != 1:
        out.append(("pack_no", "must be 1 (one parcel per waybill)"))
    if doc.weight <= 0:
        out.append(("weight", "must be positive"))
    return out


def delivery_violations(doc: t.DeliveryDoc) -> list[tuple[str, str]]:
    """The rules of CEB513: only 'signed for' is a status customs takes."""
    out: list[tuple[str, str]] = []
    _common(doc, out)
    if doc.logistics_status != "S":
        out.append(("logistics_status", "must be S (signed for)"))
    return out


def inventory_violations(doc: t.InventoryDoc) -> list[tuple[str, str]]:
    """The rules of CEB621: copNo, trade-mode fields, one parcel, lines."""
    out: list[tuple[str, str]] = []
    _common(doc, out)
    if not doc.cop_no:
        out.append(("cop_no", "is required (receipts name the list by it)"))
    if doc.ie_flag != "I":
        out.append(("ie_flag", "must be I (import)"))
    if doc.pack_no != 1:
        out.append(("pack_no", "must be 1 (one parcel per list)"))
    if doc.net_weight > doc.gross_weight:
        out.append(("net_weight", "must not exceed the gross weight"))
    if doc.trade_mode is t.TradeMode.BONDED:
        if not doc.ems_no:
            out.append(("ems_no", "is required for bonded import (1210)"))
        if doc.area is None:
            out.append(("area", "is required for bonded import (1210)"))
        if doc.country != t.CURRENCY_CNY:  # 142 is also China's country code
            out.append(("country", "must be 142 for bonded import (1210)"))
        for line in doc.lines:
            if not line.item_record_no:
                out.append((f"lines[{line.gnum}].item_record_no", "is required for bonded import"))
    elif doc.trade_mode is t.TradeMode.DIRECT:
        for name in ("traf_no", "voyage_no", "bill_no"):
            if not getattr(doc, name):
                out.append((name, "is required for direct purchase import (9610)"))
    _line_numbers(doc.lines, out)
    for line in doc.lines:
        _line_total(line, out, f"lines[{line.gnum}]")
        # ASCII only: isdigit() alone accepts full-width and Arabic-Indic digits.
        if len(line.gcode) != 10 or not (line.gcode.isascii() and line.gcode.isdigit()):
            out.append((f"lines[{line.gnum}].gcode", "must be the 10-digit HS code"))
    return out


def cancel_violations(doc: t.CancelDoc) -> list[tuple[str, str]]:
    """The rules of CEB623."""
    out: list[tuple[str, str]] = []
    _common(doc, out)
    if doc.app_type is not t.AppType.NEW:
        out.append(("app_type", "must be 1 (a cancellation is always new)"))
    if not doc.reason.strip():
        out.append(("reason", "is required"))
    return out


def return_violations(doc: t.ReturnDoc) -> list[tuple[str, str]]:
    """The rules of CEB625."""
    out: list[tuple[str, str]] = []
    _common(doc, out)
    if not doc.reason.strip():
        out.append(("reason", "is required"))
    if not doc.lines:
        out.append(("lines", "needs at least one line"))
    gnums = [line.gnum for line in doc.lines]
    if len(set(gnums)) != len(gnums):
        out.append(("gnum", "must not repeat"))
    for line in doc.lines:
        if line.qty <= 0:
            out.append((f"lines[{line.gnum}].qty", "must be positive"))
    return out


def manifest_violations(doc: t.ManifestDoc) -> list[tuple[str, str]]:
    """The rules of CEB711: an import, copNo, at least one parcel, gnum 1..n, no waybill twice."""
    out: list[tuple[str, str]] = []
    _common(doc, out)
    if doc.ie_flag != "I":
        out.append(("ie_flag", "must be I (import)"))
    if not doc.cop_no:
        out.append(("cop_no", "is required (receipts name the manifest by it)"))
    if not doc.lines:
        out.append(("lines", "at least one parcel"))
    if [line.gnum for line in doc.lines] != list(range(1, len(doc.lines) + 1)):
        out.append(("lines.gnum", "must run 1..n"))
    numbers = [line.logistics_no for line in doc.lines]
    if len(set(numbers)) != len(numbers):
        out.append(("lines.logistics_no", "a parcel appears twice"))
    return out


RULES = {
    t.OrderDoc: order_violations,
    t.PaymentDoc: payment_violations,
    t.WaybillDoc: waybill_violations,
    t.DeliveryDoc: delivery_violations,
    t.InventoryDoc: inventory_violations,
    t.CancelDoc: cancel_violations,
    t.ReturnDoc: return_violations,
    t.ManifestDoc: manifest_violations,
}


def check(docs: Iterable[object]) -> None:
    """Raise CebRuleError for the first document that breaks a rule."""
    for doc in docs:
        rule = RULES.get(type(doc))
        if rule is None:
            continue
        violations = rule(doc)
        if violations:
            raise CebRuleError(f"{type(doc).__name__} {_name(doc)}", violations)


def _name(doc) -> str:
    for attr in ("cop_no", "order_no", "logistics_no", "pay_transaction_id"):
        value = getattr(doc, attr, None)
        if value:
            return value
    return doc.guid
