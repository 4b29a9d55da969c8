"""Cart reads: whose cart a request has, each line's state against the catalog now, and the
facts the split plan needs (stock by warehouse, which warehouses reach the destination).

A cart page costs a fixed number of queries however many lines it has: the lines with their
SKU, product and merchant (one), the SKUs' tiers (one), their stock with its warehouses (one);
whether a warehouse reaches the destination is the shipping network's rule
(``logistics.shipping.selectors.serves``, on the process's book: no query).
The split plan's groups (``orders.plan``) add their shipping quotes, one per group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from catalog.models import SKU, Product, Stock, WholesaleTier
from catalog.pricing import tier_unit_price
from logistics.shipping.selectors import serves
from marketplace.clearance import CHINA, Refusal
from merchants.models import Merchant
from orders.models import Cart, CartLine, Checkout, Order, OrderLine
from orders.split import Place, PlanLine, available_to, candidates

# Where a cart ships to until the shopper picks a country (docs/ORDERS.md, "Destination").
DEFAULT_DESTINATION = CHINA


@dataclass(frozen=True, slots=True)
class CartOwner:
    """Whose cart: a signed-in user's, or an anonymous session's (its cart token)."""

    user_id: int | None = None
    token: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.user_id is None


def cart_of(owner: CartOwner) -> Cart | None:
    """The owner's cart, or None (one query; none for an anonymous owner without a token)."""
    if owner.user_id is not None:
        return Cart.objects.filter(user_id=owner.user_id).first()
    if owner.token:
        return Cart.objects.filter(token=owner.token, user__isnull=True).first()
    return None


COUNT_TTL = 600


def cart_count_key(owner: CartOwner) -> str | None:
    if owner.user_id is not None:
        return f"orders:cart-count:user:{owner.user_id}"
    if owner.token:
        return f"orders:cart-count:token:{owner.token}"
    return None


def cart_count(owner: CartOwner, *, prefetched: dict | None = None) -> int:
    """How many lines the owner's cart has: the number on the header's cart link. Kept in
    the shared cache (every cart write forgets it, at once and on commit), so a page costs
    one cache read and no query; none at all for an anonymous owner without a cart token.
    ``prefetched``: what a caller already read from the cache in its own round trip."""
    key = cart_count_key(owner)
    if key is None:
        return 0
    count = (prefetched or {}).get(key)
    if count is None:
        count = cache.get(key)
    if count is None:
        if owner.user_id is not None:
            lines = CartLine.objects.filter(cart__user_id=owner.user_id)
        else:
            lines = CartLine.objects.filter(cart__token=owner.token, cart__user__isnull=True)
        count = lines.count()
        cache.set(key, count, COUNT_TTL)
    return count


def cart_count_forget(cart: Cart) -> None:
    """Forget the cached count of ``cart``'s owner, now and when the transaction commits."""
    owner = CartOwner(user_id=cart.user_id) if cart.user_id else CartOwner(token=cart.token)
    keys = [cart_count_key(owner)]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


# --------------------------------------------------------------------------------------------
# Offers: a SKU as a shopper may buy it now
# --------------------------------------------------------------------------------------------


class Problem:
    """Why a line cannot be checked out (machine codes; ``problem_text`` says it)."""

    DELISTED = "delisted"
    MERCHANT_SUSPENDED = "merchant_suspended"
    OUT_OF_STOCK = "out_of_stock"
    NOT_SHIPPABLE = "not_shippable"
    INSUFFICIENT_STOCK = "insufficient_stock"
    BELOW_MINIMUM = "below_minimum"


def problem_text(
    code: str, *, available: int = 0, minimum: int = 1, refusal=None, adding: bool = False
) -> str:
    """The problem in the page language, saying what the shopper can do: with ``adding``,
    to a shopper adding the SKU from the product page (nothing is in their cart yet)."""
    if adding and code == Problem.DELISTED:
        return _("This product is no longer sold: it cannot be added to your cart.")
    if adding and code == Problem.MERCHANT_SUSPENDED:
        return _("This seller is not selling at the moment: it cannot be added to your cart.")
    if adding and code == Problem.OUT_OF_STOCK:
        return _(
            "Sold out: this option cannot be added to your cart. Choose another option or "
            "come back later."
        )
    if code == Problem.DELISTED:
        return _("This product is no longer sold. Remove it from your cart.")
    if code == Problem.MERCHANT_SUSPENDED:
        return _("This seller is not selling at the moment. Remove it from your cart.")
    if code == Problem.OUT_OF_STOCK:
        return _("Out of stock. Remove it from your cart or come back later.")
    if code == Problem.NOT_SHIPPABLE:
        if refusal == Refusal.BONDED_STAYS_IN_CHINA:
            return _("Stocked in a bonded warehouse in China: it can only be delivered in China.")
        return _("This item cannot be shipped to the chosen country.")
    if code == Problem.INSUFFICIENT_STOCK:
        return _("Only %(n)s available for the chosen country: lower the quantity.") % {
            "n": available
        }
    if code == Problem.BELOW_MINIMUM:
        return _("The minimum order is %(n)s units.") % {"n": minimum}
    raise ValueError(code)


@dataclass
class Offer:
    """A SKU with what buying it depends on: listed or not, its merchant's standing, tiers,
    and its stock by warehouse (available units)."""

    sku: SKU
    tiers: list[tuple[int, Decimal]]
    stock: list[tuple[int, int]]  # (warehouse id, available)
    places: dict[int, Place]

    @property
    def product(self) -> Product:
        return self.sku.product

    @property
    def merchant(self) -> Merchant:
        return self.sku.product.merchant

    @property
    def currency(self) -> str:
        return self.product.listing_currency

    @property
    def minimum(self) -> int:
        """The minimum order quantity of a line: the SKU's, or the product's when higher
        (the product page shows both)."""
        return max(self.sku.min_order_quantity, self.product.min_order_quantity)

    def unit_price(self, quantity: int) -> Decimal:
        return tier_unit_price(self.sku.price, self.tiers, quantity)

    def plan_line(self, line_id: int, quantity: int) -> PlanLine:
        return PlanLine(
            line_id=line_id,
            merchant_id=self.merchant.pk,
            merchant_kind=self.merchant.kind,
            sku_modes=tuple(self.sku.trade_modes),
            quantity=quantity,
            stock=tuple(self.stock),
        )

    def available(self, destination: str) -> int:
        """Units that can ship to ``destination`` (see ``orders.split.candidates``)."""
        return available_to(self.plan_line(0, 1), self.places, destination)

    def problem(self, quantity: int, destination: str) -> tuple[str, dict] | None:
        """The first reason ``quantity`` units cannot be bought for ``destination``, as a
        code and the values its text needs; None when they can."""
        if not self.sku.is_active or self.product.status != Product.Status.APPROVED:
            return Problem.DELISTED, {}
        if self.merchant.status != Merchant.Status.APPROVED:
            return Problem.MERCHANT_SUSPENDED, {}
        found, refusal = candidates(self.plan_line(0, quantity), self.places, destination)
        available = sum(c.available for c in found)
        if available <= 0:
            if any(units > 0 for _w, units in self.stock):
                return Problem.NOT_SHIPPABLE, {"refusal": refusal}
            return Problem.OUT_OF_STOCK, {}
        if quantity < self.minimum:
            return Problem.BELOW_MINIMUM, {"minimum": self.minimum}
        if quantity > available:
            return Problem.INSUFFICIENT_STOCK, {"available": available}
        return None


def places_for(rows: Iterable[tuple[int, str, str]], destination: str) -> dict[int, Place]:
    """``Place`` for each ``(warehouse id, kind, country)``, reaching ``destination`` or not."""
    return {
        pk: Place(pk, kind, country, serves(country=country, kind=kind, destination=destination))
        for pk, kind, country in rows
    }


def sku_rows():
    """SKUs with product, merchant (one query) and tiers (one more)."""
    return SKU.objects.select_related("product__merchant").prefetch_related(
        Prefetch("tiers", queryset=WholesaleTier.objects.order_by("min_quantity"))
    )


def _stock_by_sku(sku_ids: Iterable[int]):
    """Available units per SKU per active warehouse, and the warehouses (one query)."""
    rows = Stock.objects.filter(sku_id__in=list(sku_ids), warehouse__is_active=True).values_list(
        "sku_id", "warehouse_id", "on_hand", "reserved", "warehouse__kind", "warehouse__country"
    )
    stock: dict[int, list[tuple[int, int]]] = defaultdict(list)
    warehouses: dict[int, tuple[int, str, str]] = {}
    for sku_id, warehouse_id, on_hand, reserved, kind, country in rows.order_by("warehouse_id"):
        stock[sku_id].append((warehouse_id, on_hand - reserved))
        warehouses[warehouse_id] = (warehouse_id, kind, country)
    return stock, warehouses.values()


def offers_for(skus: Iterable[SKU], destination: str) -> dict[int, Offer]:
    """Offers for SKUs read with their product, merchant and tiers (one query: stock)."""
    skus = list(skus)
    stock, warehouses = _stock_by_sku(sku.pk for sku in skus)
    places = places_for(warehouses, destination)
    return {
        sku.pk: Offer(
            sku=sku,
            tiers=[(t.min_quantity, t.unit_price) for t in sku.tiers.all()],
            stock=stock.get(sku.pk, []),
            places=places,
        )
        for sku in skus
    }


def offer_for(sku_id: int, destination: str) -> Offer | None:
    """One SKU's offer (three queries), or None for an unknown SKU."""
    sku = sku_rows().filter(pk=sku_id).first()
    return offers_for([sku], destination)[sku.pk] if sku else None


# --------------------------------------------------------------------------------------------
# The cart as the shopper sees it
# --------------------------------------------------------------------------------------------


@dataclass
class LineView:
    """A cart line read against the catalog now."""

    line: CartLine
    offer: Offer
    quantity: int
    unit_price: Decimal  # listing currency, tier for the quantity
    currency: str
    problem: str | None
    problem_text: str
    available: int
    price_was: Decimal | None  # the unit price the shopper saw, when it changed since

    @property
    def id(self) -> int:
        return self.line.pk

    @property
    def sku(self) -> SKU:
        return self.offer.sku

    @property
    def product(self) -> Product:
        return self.offer.product

    @property
    def merchant(self) -> Merchant:
        return self.offer.merchant

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def can_check_out(self) -> bool:
        return self.problem is None

    @property
    def options(self) -> str:
        """The variant as the merchant named it (its attribute values)."""
        return " · ".join(str(value) for value in self.sku.attributes.values())


@dataclass
class CartView:
    cart: Cart | None
    destination: str
    lines: list[LineView] = field(default_factory=list)

    @property
    def can_check_out(self) -> bool:
        return bool(self.lines) and all(line.can_check_out for line in self.lines)

    @property
    def count(self) -> int:
        return len(self.lines)


def cart_lines(cart: Cart) -> list[CartLine]:
    """The cart's lines with SKU, product, merchant and tiers (two queries)."""
    return list(
        CartLine.objects.filter(cart=cart)
        .select_related("sku__product__merchant")
        .prefetch_related(
            Prefetch("sku__tiers", queryset=WholesaleTier.objects.order_by("min_quantity"))
        )
        .order_by("id")
    )


def cart_view(cart: Cart | None, destination: str) -> CartView:
    """The cart's lines, each with its price now, its state for ``destination`` and a price
    change since the shopper last saw it (three queries)."""
    view = CartView(cart=cart, destination=destination)
    if cart is None:
        return view
    lines = cart_lines(cart)
    offers = offers_for([line.sku for line in lines], destination)
    for line in lines:
        offer = offers[line.sku_id]
        found = offer.problem(line.quantity, destination)
        code, values = found if found else (None, {})
        unit = offer.unit_price(line.quantity)
        changed = line.currency_seen == offer.currency and line.unit_price_seen != unit
        view.lines.append(
            LineView(
                line=line,
                offer=offer,
                quantity=line.quantity,
                unit_price=unit,
                currency=offer.currency,
                problem=code,
                problem_text=problem_text(code, **values) if code else "",
                available=offer.available(destination),
                price_was=line.unit_price_seen if changed else None,
            )
        )
    return view


def stock_ids_for(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The stock row of each ``(SKU id, warehouse id)`` (one query): what checkout reserves."""
    pairs = set(pairs)
    rows = Stock.objects.filter(
        sku_id__in={sku for sku, _w in pairs}, warehouse_id__in={w for _s, w in pairs}
    ).values_list("sku_id", "warehouse_id", "pk")
    return {(sku, warehouse): pk for sku, warehouse, pk in rows if (sku, warehouse) in pairs}


def checkout_of(*, user, number: str):
    """One of ``user``'s checkouts with its orders, their merchant, warehouse and lines
    (three queries), or None (another shopper's is None too)."""
    return (
        Checkout.objects.filter(user=user, number=number)
        .prefetch_related(
            Prefetch(
                "orders",
                queryset=Order.objects.select_related("merchant", "warehouse")
                .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
                .order_by("id"),
            )
        )
        .first()
    )
