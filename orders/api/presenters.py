"""The cart and its split plan as JSON (money as strings, texts in the request's language)."""

from __future__ import annotations

from django.conf import settings

from marketplace.currency import price_in, rates_for_display
from marketplace.i18n import page_language
from marketplace.money import Money
from orders.plan import GiftView, GroupView, PlanView
from orders.selectors import LineView


def _money(money: Money | None) -> dict | None:
    if money is None:
        return None
    return {"amount": str(money.amount), "currency": money.currency}


def _line(line: LineView, currency: str, rates) -> dict:
    return {
        "id": line.id,
        "sku": {"id": line.sku.pk, "code": line.sku.code, "options": line.options},
        "product": {"id": line.product.pk, "name": line.product.name, "slug": line.product.slug},
        "merchant": {"id": line.merchant.pk, "name": line.merchant.name},
        "quantity": line.quantity,
        "min_order_quantity": line.offer.minimum,
        "available": line.available,
        "unit_price": _money(Money(line.unit_price, line.currency)),
        "unit_price_shown": _money(
            price_in(line.unit_price, line.currency, display=currency, rates=rates)
        ),
        "price_was": _money(Money(line.price_was, line.currency))
        if line.price_was is not None
        else None,
        "total": _money(Money(line.total, line.currency)),
        "can_check_out": line.can_check_out,
        "problem": {"code": line.problem, "message": line.problem_text} if line.problem else None,
    }


def _option(option) -> dict:
    return {
        "route_id": option.route_id,
        "method_code": option.method_code,
        "method_name": option.method_name,
        "carrier_name": option.carrier_name,
        "kind": option.kind,
        "price": _money(option.price_shopper),
        "free_shipping": option.free_shipping,
        "min_days": option.min_days,
        "max_days": option.max_days,
        "working_days": option.working_days,
        "earliest": option.earliest.isoformat(),
        "latest": option.latest.isoformat(),
    }


def _gift(gift: GiftView) -> dict:
    return {
        "ref": gift.ref,
        "name": gift.name,
        "quantity": gift.quantity,
        "short": _money(Money(gift.short, gift.currency)) if gift.short is not None else None,
    }


def _group(group: GroupView, language: str) -> dict:
    duties = group.duties
    return {
        "key": group.key,  # what a checkout's shipping choice names the group by
        "merchant": {"id": group.merchant.pk, "name": group.merchant.name},
        "mode": str(group.mode),
        "customs_code": group.mode.customs_code,
        "warehouse": {
            "id": group.place.id,
            "kind": group.place.kind,
            "country": group.place.country,
        },
        "lines": [{"line": m.view.id, "quantity": m.quantity} for m in group.lines],
        "goods": _money(group.goods),
        "shipping": {
            "options": [_option(o) for o in group.shipping.options],
            "reason": str(group.shipping.reason) if group.shipping.reason else None,
            "message": group.shipping.message,
        },
        "duties": {
            "collected_at_checkout": duties.collected,
            "blocked": duties.blocked,
            "total": _money(group.duties_shown),
            "error": duties.error or None,
            "quote": duties.as_json(language),
        },
        # gifts with purchase this order reaches, and those within reach (``short`` more)
        "gifts": [_gift(g) for g in group.gifts],
        "gifts_short": [_gift(g) for g in group.gifts_short],
    }


def cart_json(plan: PlanView, *, currency: str) -> dict:
    view = plan.cart
    language = page_language()
    rates = rates_for_display()
    return {
        "destination": view.destination,
        "currency": currency,
        "base_currency": settings.BASE_CURRENCY,
        "count": view.count,
        "can_check_out": view.can_check_out,
        "lines": [_line(line, currency, rates) for line in view.lines],
        "groups": [_group(group, language) for group in plan.groups],
    }
