"""The split plan priced: each future order (``orders.split.Group``) with its lines, its
shipping options (``logistics.shipping.selectors.shipping_options``) and its duties and taxes
(``customs.services.duty_quote``). Reads only; what the cart page and ``GET /api/v1/cart/``
show under "Your orders".

Costs, whatever the number of lines: the cart's three queries (``orders.selectors``), one for
the merchants' free-shipping thresholds, and per group the shipping quote's one query (its
warehouse); duties come from the cached rate book.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from customs.codec import tax_kind_name
from customs.engine import EngineError, LineItem, QuoteResult
from customs.presenters import quote_view
from customs.services import duty_quote
from logistics.models import Warehouse
from logistics.shipping.rates import ParcelLine
from logistics.shipping.selectors import ShippingQuote, free_shipping_thresholds, shipping_options
from marketplace.clearance import ClearanceMode
from marketplace.clearance_labels import mode_label
from marketplace.countries import country_name
from marketplace.currency import rates_for_display
from marketplace.i18n import page_language, pick
from marketplace.money import Money, MoneyError, convert
from merchants.models import Merchant
from orders.selectors import CartView, LineView
from orders.split import Group, Place, plan

# Consumption-tax categories of a SKU (``catalog.services.products.EXCISE_CATEGORIES``) as the
# duty engine's line flags: the two high-end categories select their own rate rows, every
# other category is an excise good whatever its HS code.
_ENGINE_FLAGS = {"high_end_cosmetic": "high_end_cosmetic", "high_end_watch": "high_end_watch"}


def engine_line(view: LineView, quantity: int, discount: Decimal = Decimal(0)) -> LineItem:
    """The duty engine's line for ``quantity`` units of a cart line, at the line's price less
    ``discount`` (the line's real price cuts, listing currency: they lower the dutiable
    value; non-cash deductions do not and go to the quote's ``non_cash_deductions``)."""
    sku = view.sku
    flags = set()
    if sku.excise_category:
        flags.add(_ENGINE_FLAGS.get(sku.excise_category, "excise"))
    return LineItem(
        sku=sku.code,
        hs_code=sku.hs_code,
        quantity=quantity,
        unit_price=view.unit_price,
        currency=view.currency,
        discount=discount,
        postal_category=sku.postal_tax_category,
        attributes=frozenset(flags),
        has_product_record=sku.product_record_status == "recorded",
    )


@dataclass
class Duties:
    """A group's duty quote, or why there is none. ``collected`` False: nothing is charged
    at checkout (the engine's regime says the taxes, if any, are paid on import)."""

    result: QuoteResult | None = None
    error: str = ""

    @property
    def collected(self) -> bool:
        return bool(self.result and self.result.collected_at_checkout)

    @property
    def blocked(self) -> bool:
        return bool(self.result and self.result.blocked)

    def blocking(self, language: str) -> list[str]:
        return [m.text(language) for m in self.result.blocking] if self.result else []

    def regime_name(self, language: str) -> str:
        if self.result is None:
            return ""
        return self.result.regime.zh_hans if language == "zh-hans" else self.result.regime.en

    def as_json(self, language: str) -> dict | None:
        if self.result is None:
            return None
        return quote_view(self.result, language=language, order_date=timezone.localdate())


def group_key(group: Group) -> str:
    """A group's stable name within a cart: ``"<merchant id>-<mode>-<warehouse id>"``, what
    a checkout's shipping choices are keyed by (``orders.services.checkout_place``)."""
    return f"{group.merchant_id}-{group.mode}-{group.warehouse_id}"


@dataclass(frozen=True)
class LineDiscount:
    """What promotions take off one group line (listing currency, the whole line): real
    price cuts and non-cash deductions (points, vouchers), from ``marketing.pricing``."""

    price_cut: Decimal = Decimal(0)
    non_cash: Decimal = Decimal(0)
    # the pipeline's shares of it (``marketing.pricing.Share``), stored with the order line
    shares: tuple = ()

    @property
    def total(self) -> Decimal:
        return self.price_cut + self.non_cash


@dataclass
class GroupLine:
    view: LineView
    quantity: int
    discount: LineDiscount = field(default_factory=LineDiscount)

    @property
    def total(self) -> Decimal:
        return self.view.unit_price * self.quantity


@dataclass
class GiftView:
    """A gift with purchase a future order reaches (``short`` None) or would reach with
    ``short`` more spent on the merchant's goods (listing currency ``currency``)."""

    ref: str
    name_en: str
    name_zh_hans: str
    quantity: int
    currency: str
    short: Decimal | None = None

    @property
    def name(self) -> str:
        return pick(self.name_en, self.name_zh_hans)


@dataclass
class GroupView:
    """One future order: a merchant, a clearance mode, an origin warehouse, its lines."""

    group: Group
    merchant: Merchant
    place: Place
    lines: list[GroupLine]
    goods: Money  # in the shopper's currency
    shipping: ShippingQuote
    duties: Duties
    currency: str
    choice: str = ""  # the shipping method code the shopper chose ("" = none yet)
    rates: Mapping[str, Decimal] | None = None  # the FX rates the group is priced with
    # gifts with purchase (checkout's ``promote`` fills them): reached, and within reach
    gifts: list[GiftView] = field(default_factory=list)
    gifts_short: list[GiftView] = field(default_factory=list)
    # the pipeline's shares of what free-shipping coupons took off the chosen shipping
    # (``marketing.pricing.Share``, listing currency), set by ``promote``
    shipping_off: tuple = ()

    @property
    def key(self) -> str:
        return group_key(self.group)

    @property
    def mode(self) -> ClearanceMode:
        return self.group.mode

    @property
    def mode_label(self) -> str:
        return mode_label(self.group.mode)

    @property
    def ships_from(self) -> str:
        """The origin warehouse as shoppers read it: its kind and country."""
        kind = Warehouse.Kind(self.place.kind).label if self.place.kind in Warehouse.Kind else ""
        return " · ".join(str(part) for part in (kind, country_name(self.place.country)) if part)

    @property
    def cheapest(self):
        return self.shipping.options[0] if self.shipping.options else None

    @property
    def chosen(self):
        """The option the shopper chose, else the cheapest; None when the choice names no
        option of this group (or there is none)."""
        if not self.choice:
            return self.cheapest
        return next((o for o in self.shipping.options if o.method_code == self.choice), None)

    def _shown(self, amount: Decimal) -> Money:
        """An amount of the regime's currency in the shopper's (as it is without a rate)."""
        money = Money(amount, self.duties.result.currency)
        try:
            rates = self.rates if self.rates is not None else rates_for_display()
            return convert(money, self.currency, rates, base=settings.BASE_CURRENCY)
        except MoneyError:
            return money

    @property
    def duties_shown(self) -> Money | None:
        """The duty total in the shopper's currency, when there is one to show."""
        result = self.duties.result
        if result is None or result.blocked:
            return None
        return self._shown(result.tax_total)

    @property
    def duties_breakdown(self) -> list[tuple[str, Money]]:
        """Each tax the engine charges (name in the page language, amount in the shopper's
        currency), the zero ones left out."""
        result = self.duties.result
        if result is None or result.blocked:
            return []
        language = page_language()
        return [
            (tax_kind_name(kind, language), self._shown(amount))
            for kind, amount in result.totals.items()
            if amount
        ]

    @property
    def duty_lines(self) -> list[tuple[GroupLine, list[tuple[str, Money]], Money]]:
        """The duties line by line: each line, its taxes due (name, amount in the shopper's
        currency, the zero ones left out) and its tax total."""
        result = self.duties.result
        if result is None or result.blocked:
            return []
        language = page_language()
        by_sku = {line.sku: line for line in result.lines}
        rows = []
        for member in self.lines:
            line = by_sku.get(member.view.sku.code)
            if line is None:
                continue
            taxes = [
                (tax_kind_name(tax.kind, language), self._shown(tax.due))
                for tax in line.taxes
                if tax.due
            ]
            rows.append((member, taxes, self._shown(line.tax_total)))
        return rows

    @property
    def refused(self) -> bool:
        """Whether this order cannot be placed as it stands (no shipping option chosen or
        offered, no duty quote, or the engine blocks it)."""
        return self.chosen is None or bool(self.duties.error) or self.duties.blocked

    @property
    def duties_charged(self) -> Money:
        """What the checkout collects for duties (nothing where the engine says they are
        paid on import)."""
        shown = self.duties_shown
        if shown is None or not self.duties.collected:
            return Money(Decimal(0), self.currency)
        return shown

    def _lines_shown(self, amount_of) -> Money:
        """A sum over the lines (``amount_of(GroupLine)``, listing currency) in the shopper's
        currency; each line converted as ``checkout_place`` converts it."""
        total = Money(Decimal(0), self.currency)
        for member in self.lines:
            amount = amount_of(member)
            if amount:
                rates = self.rates if self.rates is not None else rates_for_display()
                total = total + convert(
                    Money(amount, member.view.currency),
                    self.currency,
                    rates,
                    base=settings.BASE_CURRENCY,
                )
        return total

    @property
    def discount(self) -> Money:
        """What promotions and points take off the goods (``promote``'s line discounts), in
        the shopper's currency."""
        return self._lines_shown(lambda member: member.discount.total)

    @property
    def points_off(self) -> Money:
        """What the points redeemed take off the goods (a non-cash deduction: the duties are
        quoted on the price before it), in the shopper's currency."""
        return self._lines_shown(
            lambda member: sum(
                (s.amount for s in member.discount.shares if s.step == "points"), Decimal(0)
            )
        )

    @property
    def promotions_off(self) -> Money:
        """What the promotions take off the goods, points left out (``points_off``)."""
        return self.discount - self.points_off

    @property
    def goods_after_cuts(self) -> Money:
        """The goods less their real price cuts (sale, spend-and-save, coupons; not points
        or vouchers), in the shopper's currency: what the merchant's free-shipping threshold
        reads."""
        return self.goods - self._lines_shown(lambda member: member.discount.price_cut)

    @property
    def shipping_discount(self) -> Money:
        """What free-shipping coupons take off the chosen shipping, in the shopper's currency
        (a free-shipping coupon takes all of it)."""
        if not self.shipping_off or self.chosen is None:
            return Money(Decimal(0), self.currency)
        return self.chosen.price_shopper

    @property
    def shipping_paid(self) -> Money | None:
        """The chosen shipping less its discount (the shopper's currency)."""
        if self.chosen is None:
            return None
        return self.chosen.price_shopper - self.shipping_discount

    @property
    def freight_paid(self) -> Money | None:
        """The freight the buyer pays, in the shipping method's currency: the chosen (else the
        cheapest) option's price, nothing once a free-shipping coupon took it off. What the
        duties are quoted on and customs are told (CEB311 freight)."""
        option = self.chosen or self.cheapest
        if option is None:
            return None
        if self.shipping_off and option is self.chosen:
            return Money(Decimal(0), option.price.currency)
        return option.price

    @property
    def total(self) -> Money | None:
        """Goods − promotions + the chosen shipping − its discount + the duties collected, in
        the shopper's currency."""
        if self.refused:
            return None
        return self.goods - self.discount + self.shipping_paid + self.duties_charged


@dataclass
class PlanView:
    cart: CartView
    groups: list[GroupView] = field(default_factory=list)

    @property
    def can_place(self) -> bool:
        return bool(self.groups) and not any(group.refused for group in self.groups)

    @property
    def total(self) -> Money | None:
        """The checkout's total, when every order can be placed."""
        if not self.can_place:
            return None
        total = self.groups[0].total
        for group in self.groups[1:]:
            total = total + group.total
        return total


class Promote(Protocol):
    """Checkout's promotions over the planned groups (``orders.services.checkout``): ``cut``
    sets every group line's ``discount`` (the pipeline's steps on the goods), then, once each
    group's shipping is quoted on its goods after those price cuts, ``ship`` prices the same
    promotions with each order's chosen shipping (the pipeline's shipping step) and sets
    ``GroupView.shipping_off``."""

    def cut(self, groups: list[GroupView]) -> None: ...

    def ship(self, groups: list[GroupView], rates: Mapping[str, Decimal]) -> None: ...


def cart_plan(
    view: CartView,
    *,
    currency: str,
    province: str = "",
    ship_on: date | None = None,
    choices: Mapping[str, str] | None = None,
    fx_rates: Mapping[str, Decimal] | None = None,
    id_number: str | None = None,
    promote: Promote | None = None,
) -> PlanView:
    """Allocate the lines that can be checked out, group them, and price each group's
    shipping and duties in ``currency`` (the shopper's) at the rates in force; ``province``
    places a Chinese address for the carriers that price by province.

    Checkout passes what it freezes: ``choices`` (group key -> shipping method code; a group
    without one is quoted with its cheapest option, and its duties with that freight),
    ``fx_rates`` (default: the display rates) and the payer's ``id_number`` (so the duty
    engine checks the buyer's yearly limit). ``promote`` (checkout's, ``Promote``) sets the
    promotions' ``GroupLine.discount`` on the groups before their shipping is quoted (the
    merchant's free-shipping threshold reads the goods after real price cuts) and then the
    free-shipping coupons on the chosen shipping, before the duties are quoted: the duties and
    the customs limits are those of the discounted lines and of the freight paid."""
    result = PlanView(cart=view)
    lines = {line.id: line for line in view.lines if line.can_check_out}
    if not lines:
        return result
    places = next(iter(lines.values())).offer.places
    split = plan(
        (line.offer.plan_line(line.id, line.quantity) for line in lines.values()),
        places,
        view.destination,
    )
    rates = dict(fx_rates) if fx_rates is not None else rates_for_display()
    choices = choices or {}
    base = settings.BASE_CURRENCY
    thresholds = free_shipping_thresholds({g.merchant_id for g in split.groups})
    ship_on = ship_on or timezone.localdate()
    language = page_language()
    for group in split.groups:
        members = [GroupLine(lines[a.line_id], a.quantity) for a in group.allocations]
        goods = Money(Decimal(0), currency)
        for member in members:
            goods = goods + convert(
                Money(member.total, member.view.currency), currency, rates, base=base
            )
        result.groups.append(
            GroupView(
                group=group,
                merchant=members[0].view.merchant,
                place=places[group.warehouse_id],
                lines=members,
                goods=goods,
                shipping=ShippingQuote(()),  # quoted below, after the price cuts
                duties=Duties(),
                currency=currency,
                choice=choices.get(group_key(group), ""),
                rates=rates if fx_rates is not None else None,
            )
        )
    if promote is not None:
        promote.cut(result.groups)
    for shown in result.groups:
        shown.shipping = shipping_options(
            warehouse_id=shown.group.warehouse_id,
            country=view.destination,
            province=province,
            lines=[
                ParcelLine(
                    quantity=m.quantity,
                    unit_weight_kg=m.view.sku.gross_weight_kg,
                    length_cm=m.view.sku.length_cm,
                    width_cm=m.view.sku.width_cm,
                    height_cm=m.view.sku.height_cm,
                )
                for m in shown.lines
            ],
            goods_subtotal=shown.goods_after_cuts,
            free_shipping_threshold=thresholds.get(shown.group.merchant_id),
            currency=currency,
            fx_rates=rates,
            ship_on=ship_on,
        )
    if promote is not None:
        promote.ship(result.groups, rates)
    for shown in result.groups:
        shown.duties = _duties(
            shown.group,
            shown.lines,
            shown.freight_paid,
            view.destination,
            language,
            id_number,
            rates,
        )
    return result


def non_cash_in(members, currency: str | None, rates) -> Decimal:
    """The group lines' non-cash deductions in ``currency`` (the quote's: its freight's)."""
    total = Decimal(0)
    for m in members:
        amount = Money(m.discount.non_cash, m.view.currency)
        if amount.amount and currency not in (None, m.view.currency):
            amount = convert(amount, currency, rates, base=settings.BASE_CURRENCY)
        total += amount.amount
    return total


def _duties(
    group: Group,
    members,
    freight: Money | None,
    destination: str,
    language,
    id_number: str | None = None,
    rates=None,
) -> Duties:
    """The engine's quote for the group, ``freight`` the freight paid (``freight_paid``: the
    chosen option, else the cheapest, less its free-shipping discount), on the lines less
    their price cuts, with their non-cash deductions."""
    currency = freight.currency if freight else None
    try:
        return Duties(
            duty_quote(
                destination=destination,
                mode=str(group.mode),
                lines=[engine_line(m.view, m.quantity, m.discount.price_cut) for m in members],
                currency=currency,
                freight=freight.amount if freight else Decimal(0),
                non_cash_deductions=non_cash_in(members, currency, rates or {}),
                id_number=id_number or None,
            )
        )
    except EngineError as exc:
        message = getattr(exc, "message", None)
        if message is not None and hasattr(message, "text"):
            return Duties(error=message.text(language))
        return Duties(error=_("Duties and taxes cannot be estimated for this order yet."))
