"""Orders as JSON for the shopper's and the seller's APIs (money as strings with their
currency, texts in the request's language). Reads ``orders.selectors`` only."""

from __future__ import annotations

from decimal import Decimal

from marketplace.money import Money
from orders.models import Order, RefundRequest
from orders.selectors import DutiesView, OrderDetail


def money(amount: Decimal | None, currency: str) -> dict | None:
    if amount is None:
        return None
    return {"amount": str(amount), "currency": currency}


def _m(value: Money) -> dict:
    return {"amount": str(value.amount), "currency": value.currency}


def order_summary(order: Order) -> dict:
    """One order in a list (the lines were prefetched by the list's selector)."""
    return {
        "number": order.number,
        "checkout": order.checkout_id,
        "status": order.status,
        "status_label": order.get_status_display(),
        "placed_at": order.created_at.isoformat(),
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "merchant": {"id": order.merchant_id, "name": order.merchant.name},
        "clearance_mode": order.clearance_mode,
        "customs_code": order.customs_code,
        "total": money(order.total, order.currency),
        "refunded": money(order.refunded_total, order.currency),
        "items": [
            {"sku_code": line.sku_code, "name": line.name, "quantity": line.quantity}
            for line in order.lines.all()
        ],
    }


def _duties(duties: DutiesView) -> dict:
    return {
        "regime": duties.regime,
        "collected_at_checkout": duties.collected,
        "total": _m(duties.total),
        "estimate": _m(duties.estimate) if duties.estimate else None,
        "currency": duties.currency,
        "lines": [
            {
                "sku_code": line.sku_code,
                "name": line.name,
                "hs_code": line.hs_code,
                "total": _m(line.total),
                "taxes": [
                    {"name": t.name, "rate": t.rate, "amount": _m(t.amount), "waived": t.waived}
                    for t in line.taxes
                ],
            }
            for line in duties.lines
        ],
        "totals": [{"name": t.name, "amount": _m(t.amount)} for t in duties.totals],
    }


def refund_request_json(request: RefundRequest, currency: str) -> dict:
    return {
        "id": request.pk,
        "status": request.status,
        "status_label": request.get_status_display(),
        "amount": money(request.amount, currency),
        "reason": request.reason,
        "answer": request.decision_note,
        "requested_at": request.created_at.isoformat(),
        "decided_at": request.decided_at.isoformat() if request.decided_at else None,
    }


def order_detail_json(detail: OrderDetail, *, for_seller: bool = False) -> dict:
    """One order with everything its page shows. The seller's view adds allocations, the
    team note and the whole history; the shopper's hides the team's notes."""
    order = detail.order
    address = detail.checkout.address or {}
    body = order_summary(order) | {
        "warehouse": {
            "id": order.warehouse_id,
            "name": order.warehouse.name,
            "kind": order.warehouse.kind,
            "country": order.warehouse.country,
        },
        "lines": [
            {
                "id": line.id,
                "sku_code": line.sku_code,
                "name": line.name,
                "hs_code": line.hs_code,
                "quantity": line.quantity,
                "refunded_quantity": line.refunded_quantity,
                "is_gift": line.is_gift,
                "unit_price": money(line.unit_price_charged, order.currency),
                "total": money(line.line_total, order.currency),
                **(
                    {
                        "allocations": [
                            {
                                "warehouse": a.stock.warehouse.code,
                                "quantity": a.quantity,
                                "status": a.status,
                            }
                            for a in line.allocations.all()
                        ]
                    }
                    if for_seller
                    else {}
                ),
            }
            for line in detail.lines
        ],
        "goods": money(order.goods_total, order.currency),
        "discount": money(order.discount_total, order.currency),
        "shipping": {
            "method": detail.shipping_method_name,
            "carrier": detail.carrier_name,
            "price": money(order.shipping_total, order.currency),
            "discount": money(order.shipping_discount, order.currency),
            "min_days": (detail.delivery_days or (None, None))[0],
            "max_days": (detail.delivery_days or (None, None))[1],
            "earliest": (detail.delivery_dates or (None, None))[0],
            "latest": (detail.delivery_dates or (None, None))[1],
            "address": {k: address.get(k, "") for k in sorted(address)},
        },
        "duties": _duties(detail.duties),
        "payment": {
            "checkout_number": detail.checkout.number,
            "paid_at": order.paid_at.isoformat() if order.paid_at else None,
            "amount": money(order.total, order.currency),
            "refunded": money(order.refunded_total, order.currency),
        },
        "refund_requests": [refund_request_json(r, order.currency) for r in detail.refund_requests],
        "events": [
            {
                "transition": e.transition,
                "label": e.label,
                "from": e.from_state,
                "to": e.to_state,
                "by": e.who,
                "reason": e.reason,
                "at": e.created_at.isoformat(),
            }
            for e in (detail.events if for_seller else detail.shopper_events)
        ],
    }
    if for_seller:
        body["accepted_at"] = order.accepted_at.isoformat() if order.accepted_at else None
        body["note"] = order.merchant_note
        body["actions"] = {
            "accept": detail.can_accept,
            "pack": detail.can_pack,
            "refund": detail.can_refund,
        }
    else:
        body["actions"] = {
            "cancel": detail.shopper_can_cancel,
            "request_refund": detail.shopper_can_request_refund,
        }
    return body
