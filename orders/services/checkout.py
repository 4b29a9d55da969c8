"""Placing a checkout: the cart becomes one ``Checkout`` and one ``Order`` per merchant ×
clearance mode × warehouse, with everything frozen and the stock reserved (docs/ORDERS.md,
"Checkout").

``checkout_place`` is one transaction, taking its locks down the lock order and never back
up: the cart (slot 6), then the stock rows it reserves (slot 9, ``stock_reserve``), then the
duty estimates it computes and freezes (slot 11). The quota ledger (slot 10) is only read
here (the duty quote's year-to-date total): an order counts once it is paid.

Its cost does not grow with the cart's lines: the cart view's three queries, the plan's
one per group (shipping) and the duty estimate's few per group, and bulk writes for the
orders, lines, allocations, stock rows and their ledger lines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from catalog.models import ProductRecordStatus
from catalog.services.stock import InsufficientStock, StockLine, stock_reserve_with_extras
from customs.codec import result_to_json
from customs.identity import validate_id_number
from customs.models import BuyerIdentity
from customs.selectors import quota_digest
from customs.services import duty_assessment_compute, duty_assessment_request
from marketing import pricing
from marketing.coupons.selectors import CouponPicker, coupon_choices
from marketing.coupons.services import checkout_promotions, coupons_redeem
from marketing.distribution.services import PaidLine, distribution_attribute
from marketing.flash.services import flash_admissions_consume, flash_admissions_fitting
from marketing.gifts.services import gift_offer, gifts_in_force
from marketing.o2o.services import store_attribute
from marketing.points.services import POINTS_CURRENCY, points_redeem, points_redemption
from marketplace.clearance import CHINA, ClearanceMode
from marketplace.crypto import mask
from marketplace.currency import currencies_displayable
from marketplace.money import Money, MoneyError, convert, minor_unit, round_money
from marketplace.rules import field_error
from marketplace.selectors import fx_rates_current
from marketplace.services import personal_data_reveal
from orders.lock_objects import lock_cart
from orders.models import (
    Allocation,
    Cart,
    CartLine,
    Checkout,
    LinePromotionShare,
    Order,
    OrderLine,
    OrderPromotionShare,
    new_checkout_number,
)
from orders.plan import GiftView, GroupView, LineDiscount, cart_plan, engine_line, non_cash_in
from orders.selectors import cart_count_forget, cart_view, stock_ids_for

from .addresses import address_clean

# Modes that import goods into China under the buyer's identity: the buyer (订购人) must be
# named with a checked identity number, and must be the payer (the payment and the order
# declarations carry the same person).
CHINA_IMPORT_MODES = frozenset(
    {ClearanceMode.BONDED, ClearanceMode.DIRECT, ClearanceMode.PERSONAL_PARCEL}
)
CHECKOUT_CURRENCY_CHINA = "CNY"
MAX_KEY_LENGTH = 100

# What the duty engine refuses, as checkout's codes (the engine's own), each with what the
# shopper can do about it added to the engine's reason.
DUTY_REFUSAL_CODES = {
    "cbec_transaction_limit": "cbec_transaction_limit",
    "cbec_yearly_limit": "cbec_yearly_limit",
    "cbec_no_product_record": "cbec_no_product_record",
    "parcel_limit": "parcel_limit",
    "excise_not_allowed": "excise_not_allowed",
    "over_threshold": "over_threshold",
}


# A blocking reason the engine may add later and checkout does not know yet.
DUTY_BLOCKED_CODE = "duties_blocked"


def duty_hint(code: str) -> str:
    """What the shopper can do about the duty engine's blocking reason ``code`` ("" for one
    checkout does not know): the checkout page shows it under the reason, as placing does."""
    hints = {
        "cbec_transaction_limit": _(
            "Remove some items from this order, or buy them in another checkout."
        ),
        "cbec_yearly_limit": _(
            "Remove some items so the order fits what is left of your yearly allowance."
        ),
        "cbec_no_product_record": _(
            "Remove this item from your cart: it cannot be sold until its product record is filed."
        ),
        "parcel_limit": _("Remove some items: buy the rest in another checkout."),
        "excise_not_allowed": _("Remove this item from your cart."),
        "over_threshold": _("Remove some items from this order."),
    }
    return hints.get(code, "")


def is_china_import(destination: str, mode) -> bool:
    return destination == CHINA and ClearanceMode(mode) in CHINA_IMPORT_MODES


def checkout_currency(*, destination: str, display_currency: str) -> str:
    """The currency a checkout is charged in: CNY for an address in China (customs declare
    the payment in yuan, and a Chinese card pays in yuan), else the shopper's display
    currency (docs/ORDERS.md, "Checkout currency")."""
    return CHECKOUT_CURRENCY_CHINA if destination == CHINA else display_currency.upper()


@dataclass(frozen=True)
class Payer:
    """The payer's customs identity, checked (imports into China)."""

    name: str
    id_number: str
    phone: str


def _payer(*, user, identity: dict | None, address: dict) -> Payer | None:
    """The identity the shopper gave, checked; a saved one must be theirs."""
    if not identity:
        return None
    if not isinstance(identity, dict):
        raise field_error("identity", _("Enter the payer's identity."), "identity_required")
    phone = str(identity.get("phone") or address.get("phone") or "").strip()
    saved_id = identity.get("saved_id")
    if saved_id not in (None, ""):
        saved = BuyerIdentity.objects.filter(user=user, pk=_int(saved_id)).first()
        if saved is None:
            raise field_error(
                "identity", _("This saved identity is not on your account."), "unknown_identity"
            )
        number = personal_data_reveal(
            obj=saved, field="id_number", by=user, purpose="checkout: the payer's identity"
        )
        return Payer(saved.name, number, phone)
    name = str(identity.get("name") or "").strip()
    if not name:
        raise field_error(
            "identity",
            _("Enter the payer's name exactly as it is on their identity card."),
            "identity_name_required",
        )
    if len(name) > 60:
        raise field_error(
            "identity", _("At most %(n)s characters.") % {"n": 60}, "identity_name_too_long"
        )
    try:
        number = validate_id_number(str(identity.get("id_number") or ""))
    except ValidationError as exc:
        raise ValidationError({"identity": exc.error_list}) from None
    return Payer(name, number, phone)


def _int(value) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise field_error(
            "idempotency_key",
            _("Send an idempotency key of 1 to %(n)s characters.") % {"n": MAX_KEY_LENGTH},
            "idempotency_key_required",
        )
    return key


def _jsonable(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _money(money: Money) -> dict:
    return {"amount": str(money.amount), "currency": money.currency}


def _shipping_json(option) -> dict:
    method = option.method
    return {
        "route_id": option.route_id,
        "method_code": method.code,
        "method_name_en": method.name_en,
        "method_name_zh_hans": method.name_zh_hans,
        "kind": method.kind,
        "carrier_code": method.carrier_code,
        "carrier_name_en": method.carrier_name_en,
        "carrier_name_zh_hans": method.carrier_name_zh_hans,
        # what the shopper pays (checkout currency); the carrier's price in its own
        "price": _money(option.price_shopper),
        "price_method": _money(option.price),
        "list_price_method": _money(option.list_price),
        "free_shipping": option.free_shipping,
        "min_days": option.min_days,
        "max_days": option.max_days,
        "working_days": option.working_days,
        "earliest": option.earliest.isoformat(),
        "latest": option.latest.isoformat(),
    }


def _check_group(group: GroupView, language: str) -> None:
    """Refuse a group that cannot be ordered: no way to ship it, an unknown shipping choice,
    duties that cannot be computed, or what the duty engine blocks."""
    if not group.shipping.options:
        raise field_error(
            "shipping",
            group.shipping.message or _("No shipping method serves this order."),
            "no_shipping_method",
        )
    if group.chosen is None:
        raise field_error(
            "shipping",
            _("Choose one of the shipping methods offered for this order."),
            "unknown_shipping_method",
        )
    duties = group.duties
    if duties.result is None:
        raise field_error(
            "lines",
            duties.error or _("Duties and taxes cannot be estimated for this order yet."),
            "duties_unavailable",
        )
    if duties.blocked:
        errors = []
        for message in duties.result.blocking:
            code = DUTY_REFUSAL_CODES.get(message.code, DUTY_BLOCKED_CODE)
            text = " ".join(part for part in (message.text(language), duty_hint(code)) if part)
            errors.append(ValidationError(text, code=code))
        raise ValidationError({"lines": errors})


def _spread(total: Decimal, parts: list[Decimal], currency: str) -> list[Decimal]:
    """``parts`` rounded in ``currency`` so that they add up to ``total`` (the last one
    takes the rounding difference)."""
    rounded = [round_money(part, currency) for part in parts]
    if rounded:
        rounded[-1] += total - sum(rounded, Decimal(0))
    return rounded


@transaction.atomic
def checkout_place(
    *,
    user,
    cart: Cart,
    address: dict,
    identity: dict | None,
    shipping: dict[str, str],
    currency: str,
    language: str,
    idempotency_key: str,
    coupons: tuple[int, ...] | list[int] = (),
    points: int = 0,
) -> Checkout:
    """Place the checkout of ``user``'s ``cart`` (see the module docstring and
    docs/ORDERS.md). Returns the checkout, or the one already placed with this
    ``idempotency_key``; refusals are ``ValidationError`` with a code per rule and change
    nothing. ``coupons``: ids of the shopper's claimed coupons to use (docs/MARKETING.md);
    flash-sale admissions and spend-and-save promotions apply by themselves. ``points``: how
    many points to redeem (a non-cash deduction on the lines listed in yuan, capped at
    ``POINTS_MAX_SHARE``; the duties are quoted as if they were paid)."""
    key = _check_key(idempotency_key)
    existing = Checkout.objects.filter(user=user, idempotency_key=key).first()
    if existing is not None:
        return existing
    if cart.user_id != user.pk:
        raise field_error("cart", _("This cart is not yours."), "cart_not_yours")
    try:
        lock_cart(cart.pk)
    except Cart.DoesNotExist:
        raise field_error(
            "cart", _("Your cart changed in the meantime: please try again."), "cart_gone"
        ) from None
    # A double submit waited for the first one's cart lock: it finds the first checkout now.
    existing = Checkout.objects.filter(user=user, idempotency_key=key).first()
    if existing is not None:
        return existing
    address = address_clean(address)
    destination = address["country"]
    payer = _payer(user=user, identity=identity, address=address)
    currency = checkout_currency(destination=destination, display_currency=currency or "")
    rates = fx_rates_current()
    if currency not in rates or (
        currency != CHECKOUT_CURRENCY_CHINA and currency not in currencies_displayable()
    ):
        raise field_error(
            "currency", _("Choose one of the currencies offered."), "unknown_currency"
        )

    view = cart_view(cart, destination)
    if not view.lines:
        raise field_error("cart", _("Your cart is empty."), "cart_empty")
    problems = [
        ValidationError(f"{line.product.name}: {line.problem_text}", code=line.problem)
        for line in view.lines
        if line.problem
    ]
    if problems:
        raise ValidationError({"lines": problems})
    province = address["province"] if destination == CHINA else ""
    number = new_checkout_number()
    redemption = points_redemption(user=user, requested=points)
    promotions = _Promotions(user=user, claim_ids=list(coupons), number=number, points=redemption)
    with override(language):
        plan = cart_plan(
            view,
            currency=currency,
            province=province,
            choices=shipping or {},
            fx_rates=rates,
            id_number=payer.id_number if payer else None,
            promote=promotions,
        )
    if not promotions.settled:
        # the shipping was quoted on the goods before a coupon took a freed place (or the
        # other way round): the page's preview settles this, a direct caller is told
        raise field_error(
            "coupons",
            _(
                "A free-shipping coupon does not apply to one of your orders, so another coupon"
                " of its issuer takes its place: check your coupons and try again."
            ),
            "coupon_place_freed",
        )
    keys = {group.key for group in plan.groups}
    planned = sum(m.quantity for g in plan.groups for m in g.lines)
    if set(shipping or {}) - keys or planned != sum(line.quantity for line in view.lines):
        raise field_error(
            "shipping",
            _("Your orders changed since the page was shown: check them and try again."),
            "plan_changed",
        )
    with override(language):
        for group in plan.groups:
            _check_group(group, language)
    imports = [g for g in plan.groups if is_china_import(destination, g.mode)]
    if imports and payer is None:
        raise field_error(
            "identity",
            _(
                "Goods imported into China are declared to customs under the payer's "
                "identity: enter the payer's name and identity number."
            ),
            "identity_required",
        )
    checkout = _write(
        user=user,
        cart=cart,
        view=view,
        plan=plan,
        address=address,
        payer=payer,
        currency=currency,
        language=language,
        key=key,
        rates=rates,
        destination=destination,
        number=number,
        gifts=promotions.gifts,
    )
    coupons_redeem(user=user, claim_ids=promotions.claims_used, checkout_number=number)
    # Last of the promotions (slot 13's tail): the points ledger's debit.
    points_redeem(user=user, points=promotions.points_used, checkout_number=number)
    # The distributor whose link the buyer opened last earns on what the buyer pays for each
    # line (after promotions, without duties and shipping).
    lines = OrderLine.objects.filter(order__checkout=checkout).select_related(
        "order", "sku__product"
    )
    rows = list(lines.order_by("pk"))
    paid_lines = [
        PaidLine(
            order_id=line.order_id,
            order_line_id=line.pk,
            merchant_id=line.order.merchant_id,
            product_id=line.sku.product_id,
            category_id=line.sku.product.category_id,
            paid=line.line_total - line.discount,
        )
        for line in rows
    ]
    distribution_attribute(user=user, checkout_number=number, currency=currency, lines=paid_lines)
    # The offline store whose code the buyer scanned last, for that merchant's orders (O2O).
    store_attribute(
        user=user,
        checkout_number=number,
        currency=currency,
        lines=paid_lines,
        order_numbers={line.order_id: line.order.number for line in rows},
    )
    return checkout


class _Promotions:
    """``cart_plan``'s ``promote`` (``orders.plan.Promote``): the marketing pipeline over the
    planned group lines, per order (shipping group) and with each order's chosen shipping.

    Uses the shopper's flash-sale admissions for the lines' SKUs (slot 6, after the cart),
    gathers the spend-and-save promotions in force, the chosen coupons and the gifts with
    purchase in force, prices each listing currency's lines with
    ``marketing.pricing.price_order`` and sets every group line's discount (real price cuts
    and non-cash deductions), which the duties are quoted on, and the gifts each order reaches
    (``gifts``; ``GroupView.gifts`` / ``gifts_short`` for the pages).

    ``preview`` (the checkout page, before placing): nothing is written — the admissions are
    read, not used — and, per listing currency, the coupon picker
    (``marketing.coupons.selectors.coupon_choices``) says which of the shopper's claimed
    coupons apply; without ``claim_ids`` (``None``) the best pick is priced. ``gifts_only``
    (the cart page): only the gifts, no admission, coupon, points or discount."""

    def __init__(
        self,
        *,
        user,
        claim_ids: list[int] | None,
        number: str = "",
        points=None,
        preview=False,
        typed: list[int] = (),
        gifts_only=False,
    ):
        self.user = user
        self.gifts_only = gifts_only
        self.typed = list(typed)
        self.points = points
        self.points_used = 0
        self.claim_ids = claim_ids
        self.number = number
        self.preview = preview
        self.claims_used: list[int] = []
        # False when the shipping step changed the goods' discounts that ``cut`` set (a
        # refused free-shipping coupon freed its place to a price cut, or the best pick chose
        # a free-shipping coupon over a price cut): the shipping was quoted on other goods
        self.settled = True
        self.pickers: dict[str, CouponPicker] = {}
        self.refused: dict[int, str] = {}  # claim id -> pricing refusal code (picked together)
        # the gifts with purchase the orders reach: (the pipeline's line, its promotion)
        self.gifts: list[tuple[pricing.GiftLine, object]] = []
        self._members: dict = {}
        self._lines: dict[str, list[pricing.Line]] = {}
        self._chosen: dict = {}
        self._gifts_in_force: dict[str, dict] = {}

    def _flash(self, wanted: dict[int, int]):
        if self.gifts_only:
            return {}
        if self.preview:
            return flash_admissions_fitting(user=self.user, lines=list(wanted.items()))
        return flash_admissions_consume(
            user=self.user, lines=list(wanted.items()), checkout_number=self.number
        )

    def cut(self, groups: list[GroupView]) -> None:
        """The pipeline's steps on the goods (``orders.plan.Promote``): the flash admissions
        used, the coupons chosen (the picker's best pick in a preview without ticks), every
        group line's discount set. Shipping does not change these (its step is last)."""
        wanted: dict[int, int] = {}
        for group in groups:
            for member in group.lines:
                wanted[member.view.sku.pk] = wanted.get(member.view.sku.pk, 0) + member.quantity
        flash = self._flash(wanted)
        flash_left = {sku_id: use.units for sku_id, use in flash.items()}
        self._members = {}
        self._lines = {}
        self._chosen = {}
        for group in groups:
            for n, member in enumerate(group.lines):
                view = member.view
                units = min(flash_left.get(view.sku.pk, 0), member.quantity)
                if units:
                    flash_left[view.sku.pk] -= units
                key = f"{group.key}|{n}"
                self._members[key] = member
                self._lines.setdefault(view.currency, []).append(
                    pricing.Line(
                        key=key,
                        merchant_id=group.group.merchant_id,
                        quantity=member.quantity,
                        unit_price=view.unit_price,
                        product_id=view.product.pk,
                        category_id=view.product.category_id,
                        brand_id=view.product.brand_id,
                        group=group.key,
                        flash_units=units,
                        flash_unit_price=flash[view.sku.pk].unit_price if units else None,
                    )
                )
        for currency, lines in self._lines.items():
            self._gifts_in_force[currency] = {
                f"gift:{g.pk}": g
                for g in gifts_in_force(
                    currency=currency, merchant_ids={line.merchant_id for line in lines}
                )
            }
            if self.gifts_only:
                chosen = None
            elif self.preview:
                picker = coupon_choices(user=self.user, lines=lines, currency=currency)
                self.pickers[currency] = picker
                chosen = picker.promotions(self._ticked(picker, picker.best))
            else:
                chosen = checkout_promotions(
                    user=self.user, claim_ids=self.claim_ids or [], currency=currency
                )
            self._chosen[currency] = chosen
            self._price(currency, chosen)

    def ship(self, groups: list[GroupView], rates) -> None:
        """The same promotions priced with each order's chosen shipping (converted to the
        listing currency): the free-shipping coupons' step; what they take off each group's
        shipping is set on it (``shipping_off``), the gifts the orders reach on the groups,
        and the claims used and refused are known. In a preview without ticks, an issuer
        without a coupon in the pick gets its best free-shipping coupon (it cuts no price, so
        the goods stay as ``cut`` priced them)."""
        by_key = {group.key: group for group in groups}
        for currency, lines in self._lines.items():
            shipping = {}
            for key in dict.fromkeys(line.group for line in lines):
                option = by_key[key].chosen
                if option is None:
                    continue
                try:
                    shipping[key] = convert(
                        option.price, currency, rates, base=settings.BASE_CURRENCY
                    ).amount
                except MoneyError:
                    continue  # no rate: the coupon finds no shipping to take off
            chosen = self._chosen[currency]
            if self.preview and chosen is not None:
                picker = self.pickers[currency].priced(lines, shipping)
                self.pickers[currency] = picker
                chosen = picker.promotions(self._ticked(picker, picker.best_with_free_shipping()))
            cut = {line.key: self._members[line.key].discount for line in lines}
            result = self._price(currency, chosen, shipping)
            if any(self._members[key].discount != was for key, was in cut.items()):
                self.settled = False
            self._gifts_reached(result, currency, by_key)
            if chosen is None:
                continue
            for key, shares in result.shipping_shares.items():
                by_key[key].shipping_off = tuple(shares)
            self.points_used += result.points_used
            self.claims_used += [
                chosen.claims[a.ref] for a in result.applied if a.ref in chosen.claims
            ]
            self.refused.update(
                {chosen.claims[r.ref]: r.code for r in result.refused if r.ref in chosen.claims}
            )

    def _ticked(self, picker: CouponPicker, best: list[int]) -> list[int]:
        ticked = best if self.claim_ids is None else self.claim_ids
        # a typed code comes first: it wins its issuer's one coupon per order
        return self.typed + [pk for pk in ticked if pk not in self.typed]

    def _price(self, currency: str, chosen, shipping=None) -> pricing.PricingResult:
        result = pricing.price_order(
            lines=self._lines[currency],
            currency=currency,
            promotions=chosen.promotions if chosen is not None else (),
            points=self.points if chosen is not None and currency == POINTS_CURRENCY else None,
            shipping=shipping,
            minor_digits=minor_unit(currency),
            gifts=[gift_offer(g) for g in self._gifts_in_force[currency].values()],
        )
        if chosen is not None:
            for line in result.lines:
                self._members[line.key].discount = LineDiscount(
                    line.price_cut, line.non_cash, tuple(line.shares)
                )
        return result

    def _gifts_reached(self, result: pricing.PricingResult, currency: str, by_key) -> None:
        in_force = self._gifts_in_force[currency]
        self.gifts += [(gift, in_force[gift.ref]) for gift in result.gifts]
        for gift in [*result.gifts, *result.gifts_short]:
            sku = in_force[gift.ref].gift_sku
            shown = GiftView(
                ref=gift.ref,
                name_en=sku.product.name_en or "",
                name_zh_hans=sku.product.name_zh_hans or "",
                quantity=gift.quantity,
                currency=currency,
                short=getattr(gift, "short", None),
            )
            group = by_key[gift.group]
            (group.gifts_short if shown.short is not None else group.gifts).append(shown)


def checkout_preview(
    *,
    user,
    claim_ids: list[int] | None,
    typed: list[int] = (),
    points: pricing.PointsRedemption | None = None,
) -> _Promotions:
    """The checkout page's ``promote`` for ``cart_plan``: the same pipeline as placing, read
    only (no admission used, no claim redeemed, no point debited), with the coupon picker:
    ``claim_ids`` the claims the shopper ticked (``None``: the best pick), ``typed`` a typed
    code's claim (first, so it wins its issuer's place). ``points``: the shopper's chosen
    redemption (``points_redemption``), priced as placing prices it — a non-cash deduction
    on the lines, so the shown total is what is charged and the duties do not fall. After
    planning, ``claims_used`` are the claims to place with, ``points_used`` the points the
    pipeline took, ``refused`` why a ticked one did not apply with the others, and
    ``pickers`` the choices per listing currency."""
    return _Promotions(user=user, claim_ids=claim_ids, typed=typed, preview=True, points=points)


def checkout_preview_plan(
    view,
    *,
    user,
    claim_ids: list[int] | None,
    typed: list[int] = (),
    points: pricing.PointsRedemption | None = None,
    **plan_options,
) -> tuple[_Promotions, object]:
    """The checkout page's plan (``cart_plan(view, promote=checkout_preview(...),
    **plan_options)``) once it is settled: when the shipping step changed the goods' discounts
    (the best pick chose a merchant's free-shipping coupon over its price cut, or a refused
    free-shipping coupon freed its place to another coupon), the shipping and the goods were
    priced on different picks, so the page plans again with the coupons that applied, ticked
    (at most twice more: each plan ticks only coupons the one before applied). Read only,
    like ``checkout_preview``; placing with the shown ``claims_used`` prices the same."""
    promotions = checkout_preview(user=user, claim_ids=claim_ids, typed=typed, points=points)
    plan = cart_plan(view, promote=promotions, **plan_options)
    for _again in range(2):
        if promotions.settled:
            break
        used = list(promotions.claims_used)
        promotions = checkout_preview(
            user=user, claim_ids=used, typed=[pk for pk in typed if pk in used], points=points
        )
        plan = cart_plan(view, promote=promotions, **plan_options)
    return promotions, plan


def cart_gifts_preview(*, user=None) -> _Promotions:
    """The cart page's ``promote`` for ``cart_plan``: only the gifts with purchase each future
    order reaches or would reach (``GroupView.gifts`` / ``gifts_short``), priced by the same
    pipeline without coupons, admissions or points (the checkout page counts those); it
    sets no discount and writes nothing."""
    return _Promotions(user=user, claim_ids=[], preview=True, gifts_only=True)


def _gift_fits(sku, mode) -> bool:
    """Whether a gift SKU can go into an order of clearance ``mode``: an active SKU the
    merchant allows in that mode, with a recorded product record for a bonded order."""
    if not sku.is_active or str(mode) not in sku.trade_modes:
        return False
    return (
        str(mode) != ClearanceMode.BONDED
        or sku.product_record_status == ProductRecordStatus.RECORDED
    )


def _gift_line(gift, promotion) -> OrderLine:
    sku = promotion.gift_sku
    zero = Decimal("0")
    return OrderLine(
        sku=sku,
        sku_code=sku.code,
        name_en=sku.product.name_en or "",
        name_zh_hans=sku.product.name_zh_hans or "",
        hs_code=sku.hs_code or "",
        quantity=gift.quantity,
        unit_price=zero,
        unit_price_charged=zero,
        line_total=zero,
        discount=zero,
        is_gift=True,
    )


def _ran_out(gift, promotion, order) -> dict:
    sku = promotion.gift_sku
    return {
        "ref": gift.ref,
        "order": order.number,
        "sku_code": sku.code,
        "name_en": sku.product.name_en or "",
        "name_zh_hans": sku.product.name_zh_hans or "",
        "quantity": gift.quantity,
    }


def _write(
    *,
    user,
    cart,
    view,
    plan,
    address,
    payer,
    currency,
    language,
    key,
    rates,
    destination,
    number,
    gifts=(),
):
    now = timezone.now()
    expires = now + timedelta(minutes=settings.ORDERS_RESERVATION_MINUTES)
    base = settings.BASE_CURRENCY
    frozen_rates = {code: str(rate) for code, rate in sorted(rates.items())}
    orders: list[Order] = []
    lines: list[list[OrderLine]] = []
    assessments = []
    for group in plan.groups:
        option = group.chosen
        result = group.duties.result
        order = Order(
            user=user,
            merchant_id=group.group.merchant_id,
            warehouse_id=group.group.warehouse_id,
            clearance_mode=str(group.mode),
            customs_code=group.mode.customs_code,
            currency=currency,
            listing_currency=group.lines[0].view.currency,
            fx_rates=frozen_rates,
            shipping_method_id=option.method.id,
            shipping=_shipping_json(option),
        )
        goods = []
        discounts = []
        order_lines = []
        for member in group.lines:
            line = member.view
            charged = convert(Money(line.unit_price, line.currency), currency, rates, base=base)
            total = convert(
                Money(line.unit_price * member.quantity, line.currency), currency, rates, base=base
            )
            goods.append(total.amount)
            discount = (
                convert(Money(member.discount.total, line.currency), currency, rates, base=base)
                if member.discount.total
                else Money(Decimal(0), currency)
            )
            discounts.append(discount.amount)
            order_lines.append(
                OrderLine(
                    sku=line.sku,
                    sku_code=line.sku.code,
                    name_en=line.product.name_en or "",
                    name_zh_hans=line.product.name_zh_hans or "",
                    hs_code=line.sku.hs_code or "",
                    quantity=member.quantity,
                    unit_price=line.unit_price,
                    unit_price_charged=charged.amount,
                    line_total=total.amount,
                    discount=discount.amount,
                )
            )
        duty_total = Decimal(0)
        if result.collected_at_checkout:
            duty_total = convert(
                Money(result.tax_total, result.currency), currency, rates, base=base
            ).amount
            shares = [
                convert(Money(r.tax_total, result.currency), currency, rates, base=base).amount
                for r in result.lines
            ]
            for order_line, duty in zip(
                order_lines, _spread(duty_total, shares, currency), strict=True
            ):
                order_line.duty = duty
        order.goods_total = sum(goods, Decimal(0))
        order.discount_total = sum(discounts, Decimal(0))
        order.shipping_total = option.price_shopper.amount
        order.shipping_discount = group.shipping_discount.amount
        order.duty_total = duty_total
        order.total = (
            order.goods_total
            - order.discount_total
            + order.shipping_total
            - order.shipping_discount
            + order.duty_total
        )
        # Bilingual and in the regime's currency (``customs.codec``): pages of either
        # language show it; ``duty_total`` and the lines' ``duty`` are what was charged.
        order.duties = _jsonable(result_to_json(result))
        # The estimate, frozen with the order (computed below, after the stock: lock order).
        order.assessment = duty_assessment_request(
            destination=destination,
            mode=str(group.mode),
            lines=[engine_line(m.view, m.quantity, m.discount.price_cut) for m in group.lines],
            currency=option.price.currency,
            freight=group.freight_paid.amount,
            non_cash_deductions=non_cash_in(group.lines, option.price.currency, rates),
            id_number=payer.id_number if payer and destination == CHINA else None,
            reference=order.number,
        )
        assessments.append(order.assessment)
        orders.append(order)
        lines.append(order_lines)

    checkout = Checkout.objects.create(
        number=number,
        user=user,
        email=user.email,
        language=language,
        idempotency_key=key,
        currency=currency,
        total=sum((o.total for o in orders), Decimal(0)),
        fx_rates=frozen_rates,
        address=address,
        payer_name=payer.name if payer else "",
        payer_phone=payer.phone if payer else "",
        payer_id_number=payer.id_number if payer else "",
        payer_id_digest=quota_digest(payer.id_number) if payer else "",
        payer_id_masked=mask(payer.id_number) if payer else "",
        expires_at=expires,
    )
    for order in orders:
        order.checkout = checkout
    Order.objects.bulk_create(orders)

    # Gifts with purchase: a price-0 line in the group's order, reserved in the same pass
    # as the goods (slot 9) from the order's warehouse, or told as run out.
    index = {group.key: n for n, group in enumerate(plan.groups)}
    ran_out: list[dict] = []
    offered = []  # (order index, gift, promotion)
    for gift, promotion in gifts:
        n = index[gift.group]
        if _gift_fits(promotion.gift_sku, orders[n].clearance_mode):
            offered.append((n, gift, promotion))
        else:
            ran_out.append(_ran_out(gift, promotion, orders[n]))
    stock = stock_ids_for(
        {
            (line.sku_id, order.warehouse_id)
            for order, ls in zip(orders, lines, strict=True)
            for line in ls
        }
        | {(p.gift_sku_id, orders[n].warehouse_id) for n, _g, p in offered}
    )
    stocked = []
    for n, gift, promotion in offered:
        if (promotion.gift_sku_id, orders[n].warehouse_id) in stock:
            stocked.append((n, gift, promotion))
        else:
            ran_out.append(_ran_out(gift, promotion, orders[n]))
    try:
        _adjustments, held = stock_reserve_with_extras(
            lines=[
                StockLine(stock[(line.sku_id, order.warehouse_id)], line.quantity)
                for order, order_lines in zip(orders, lines, strict=True)
                for line in order_lines
            ],
            extras=[
                StockLine(stock[(p.gift_sku_id, orders[n].warehouse_id)], gift.quantity)
                for n, gift, p in stocked
            ],
            actor=user,
            note=checkout.number,
        )
    except InsufficientStock as exc:
        raise ValidationError(
            {
                "lines": ValidationError(
                    _(
                        "Someone bought the last units meanwhile: %(reason)s Lower the quantity and try again."
                    )
                    % {"reason": exc.messages[0]},
                    code="insufficient_stock",
                )
            }
        ) from None
    gift_shares = []
    for (n, gift, promotion), fits in zip(stocked, held, strict=True):
        if not fits:
            ran_out.append(_ran_out(gift, promotion, orders[n]))
            continue
        line = _gift_line(gift, promotion)
        lines[n].append(line)
        if gift.share is not None:
            gift_shares.append((line, gift.share, orders[n].listing_currency))
    if ran_out:
        checkout.gifts_ran_out = ran_out
        checkout.save(update_fields=["gifts_ran_out"])

    flat: list[OrderLine] = []
    for order, order_lines in zip(orders, lines, strict=True):
        for line in order_lines:
            line.order = order
            flat.append(line)
    OrderLine.objects.bulk_create(flat)
    shares = [
        LinePromotionShare(
            line=line,
            ref=share.ref,
            step=str(share.step),
            currency=member.view.currency,
            amount=share.amount,
            platform_bears=share.platform,
            merchant_bears=share.merchant,
            cuts_price=share.cuts_price,
        )
        for group, order_lines in zip(plan.groups, lines, strict=True)
        for member, line in zip(
            group.lines, [ol for ol in order_lines if not ol.is_gift], strict=True
        )
        for share in member.discount.shares
        if share.amount > 0
    ] + [
        LinePromotionShare(
            line=line,
            ref=share.ref,
            step=str(share.step),
            currency=listing_currency,
            amount=share.amount,
            platform_bears=share.platform,
            merchant_bears=share.merchant,
            cuts_price=share.cuts_price,
        )
        for line, share, listing_currency in gift_shares
    ]
    if shares:
        LinePromotionShare.objects.bulk_create(shares)
    shipping_shares = [
        OrderPromotionShare(
            order=order,
            ref=share.ref,
            step=str(share.step),
            currency=order.listing_currency,
            amount=share.amount,
            platform_bears=share.platform,
            merchant_bears=share.merchant,
        )
        for group, order in zip(plan.groups, orders, strict=True)
        for share in group.shipping_off
        if share.amount > 0
    ]
    if shipping_shares:
        OrderPromotionShare.objects.bulk_create(shipping_shares)

    Allocation.objects.bulk_create(
        [
            Allocation(
                line=line,
                stock_id=stock[(line.sku_id, order.warehouse_id)],
                quantity=line.quantity,
                expires_at=expires,
            )
            for order, order_lines in zip(orders, lines, strict=True)
            for line in order_lines
        ]
    )
    for assessment in assessments:
        duty_assessment_compute(assessment_id=assessment.pk)
    CartLine.objects.filter(cart=cart, pk__in=[line.id for line in view.lines]).delete()
    cart_count_forget(cart)
    return checkout
