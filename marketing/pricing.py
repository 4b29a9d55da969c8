"""The one pricing pipeline: what a checkout's lines cost after promotions, in one place.

Pure (no database, no clock): the caller (checkout) gathers the lines, the promotions the
shopper may use (codes typed, automatic ones, points) and the shipping per group, and
``price_order`` returns every amount, per line and per promotion, to the minor unit.

**The steps, in this order, always** (``STEPS``):

1. ``sale`` — the flash price for the admitted units (``Line.flash_units``).
2. ``spend_and_save`` — automatic 满减 promotions (best tier reached).
3. ``coupon`` — codes the shopper typed: fixed, percentage (with a cap), tiers, free shipping.
3b. ``gift`` — gifts with purchase (``GiftOffer``): an order (shipping group) whose goods of
   the offer's merchant still cost at least its threshold after the steps above gets the
   gift SKU at price 0 (``PricingResult.gifts``); it takes nothing off the goods, so points
   and shipping see the same amounts. Stock is the caller's (a gift can run out).
4. ``points`` — points redeemed, at most ``PointsRedemption.max_share`` of what is left.
5. ``shipping`` — a free-shipping coupon takes the shipping off each order (group) it holds
   a place in, when that order's goods still cost at least its threshold; an order whose
   shipping is already free refuses it (``shipping_free``). ``shipping`` is each order's
   chosen shipping price (the caller's); ``PricingResult.shipping_shares`` says who bears
   what was taken off.

Each step works on what the steps before it left. **Stacking, said once** (``_stack_refusal``):

- a line sold at the flash price takes no spend-and-save and no coupon (points still apply);
- at most one coupon of each merchant and one platform coupon per order (shipping group,
  ``Line.group``): a coupon covering several orders takes its issuer's place in each one
  where it is free and covers only those orders' lines (``coupon_stack_limit`` when none);
  a free-shipping coupon refused in an order at the shipping step frees its place there
  (``price_order`` prices again without it in that order);
- a promotion marked ``stackable=False`` (exclusive) does not share a line with another
  spend-and-save or coupon promotion: whichever comes first in step order (then in the order
  given) keeps the line, the other is refused on it (``not_stackable``).

**Allocation.** An order-level discount is spread over the lines it covers in proportion to
what each still costs, by the largest-remainder method in minor units (fen): the shares add
up to the discount exactly and no line goes below zero.

**What each amount means for customs** (the duty engine's inputs, docs/TAXES.md):
a real price cut — the sale price, spend-and-save, a coupon with ``cuts_price`` — lowers the
line's transaction price (``LineResult.price_cut`` → ``LineItem.discount``); points and
vouchers (``cuts_price=False``) are non-cash deductions (``PricingResult.non_cash_deductions``
→ ``non_cash_deductions``) that do not lower the dutiable value.

**Cost bearer.** Every promotion names who pays for it (``Bearer``: the platform's percentage,
the merchant the rest); every line's share of every promotion records both halves, so
settlement can charge them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Step(StrEnum):
    SALE = "sale"
    SPEND_AND_SAVE = "spend_and_save"
    COUPON = "coupon"
    GIFT = "gift"
    POINTS = "points"
    SHIPPING = "shipping"


STEPS: tuple[Step, ...] = (
    Step.SALE,
    Step.SPEND_AND_SAVE,
    Step.COUPON,
    Step.GIFT,
    Step.POINTS,
    Step.SHIPPING,
)


class Kind(StrEnum):
    FIXED = "fixed"  # amount off once the threshold is reached
    PERCENT = "percent"  # percent off, with an optional cap
    TIERS = "tiers"  # 满减: the best tier reached (e.g. 30 off 299, 80 off 599)
    FREE_SHIPPING = "free_shipping"


class ScopeKind(StrEnum):
    PLATFORM = "platform"
    MERCHANT = "merchant"
    CATEGORY = "category"
    BRAND = "brand"
    PRODUCT = "product"


@dataclass(frozen=True)
class Scope:
    """Which lines a promotion covers: all (platform), or those of the merchant, category,
    brand or product ids given. ``merchant_id`` also limits a category/brand/product scope to
    one merchant's lines (a merchant's promotion)."""

    kind: ScopeKind = ScopeKind.PLATFORM
    ids: frozenset[int] = frozenset()
    merchant_id: int | None = None

    def covers(self, line: Line) -> bool:
        if self.merchant_id is not None and line.merchant_id != self.merchant_id:
            return False
        match self.kind:
            case ScopeKind.PLATFORM:
                return True
            case ScopeKind.MERCHANT:
                return self.merchant_id is not None or line.merchant_id in self.ids
            case ScopeKind.CATEGORY:
                return line.category_id in self.ids
            case ScopeKind.BRAND:
                return line.brand_id in self.ids
            case ScopeKind.PRODUCT:
                return line.product_id in self.ids


@dataclass(frozen=True)
class Bearer:
    """Who pays for a promotion: the platform ``platform_percent`` %, the merchant the rest."""

    platform_percent: int = 0

    def __post_init__(self):
        if not 0 <= self.platform_percent <= 100:
            raise ValueError("platform_percent is 0..100")

    def split(self, minor: int) -> tuple[int, int]:
        """``minor`` units as (the platform's, the merchant's): the platform's share rounded
        half up, the merchant the rest, so the two add up to ``minor`` exactly."""
        platform = (minor * self.platform_percent * 2 + 100) // 200
        return platform, minor - platform


PLATFORM = Bearer(100)
MERCHANT = Bearer(0)


@dataclass(frozen=True)
class Promotion:
    """A spend-and-save promotion or a coupon the shopper may use on this order (eligibility
    — validity, limits, who may use it — was checked by its service; the threshold, scope and
    stacking are checked here). ``threshold`` is on the covered lines, after earlier steps."""

    ref: str
    step: Step
    kind: Kind
    scope: Scope = Scope()
    threshold: Decimal = Decimal("0")
    amount: Decimal = Decimal("0")  # FIXED: off
    percent: Decimal = Decimal("0")  # PERCENT: 0 < p < 100
    cap: Decimal | None = None  # PERCENT: at most this off
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()  # TIERS: (spend, off)
    stackable: bool = True
    cuts_price: bool = True  # a real price cut (else a voucher: a non-cash deduction)
    bearer: Bearer = MERCHANT
    issuer_merchant_id: int | None = None  # None: a platform coupon

    def __post_init__(self):
        if self.step not in (Step.SPEND_AND_SAVE, Step.COUPON):
            raise ValueError("a promotion is spend-and-save or a coupon")
        if self.kind == Kind.FREE_SHIPPING and self.step != Step.COUPON:
            raise ValueError("free shipping is a coupon")


@dataclass(frozen=True)
class Line:
    """One checkout line, priced before promotions: ``unit_price`` is the price the shopper
    pays without any (tier price included); ``flash_units`` of them at ``flash_unit_price``."""

    key: str
    merchant_id: int
    quantity: int
    unit_price: Decimal
    product_id: int = 0
    category_id: int = 0
    brand_id: int | None = None
    group: str = ""  # the shipping group (orders.plan.group_key) the line ships in
    flash_units: int = 0
    flash_unit_price: Decimal | None = None


@dataclass(frozen=True)
class GiftOffer:
    """A gift with purchase in force: every order (shipping group) whose goods of
    ``merchant_id`` still cost at least ``threshold`` gets ``quantity`` of ``sku_id`` at
    price 0; ``bearer`` says who pays for the gift's cost (settlement): its ``unit_value``
    (the gift's list price) × ``quantity``."""

    ref: str
    merchant_id: int
    threshold: Decimal
    sku_id: int
    quantity: int = 1
    bearer: Bearer = MERCHANT
    unit_value: Decimal = Decimal("0")


@dataclass(frozen=True)
class GiftLine:
    """A gift the pipeline gives: ``quantity`` of ``sku_id`` in ``group``, at price 0.
    ``share``: its value at list price and who bears it (step ``gift``; not a discount on
    any line: the gift line's own cost to record for settlement), None when it has none."""

    ref: str
    group: str
    merchant_id: int
    sku_id: int
    quantity: int
    bearer: Bearer
    share: Share | None = None


@dataclass(frozen=True)
class GiftShort:
    """An order (shipping group) with goods of the offer's merchant that did not reach its
    threshold: ``short`` more to spend there (what the cart page tells the shopper)."""

    ref: str
    group: str
    merchant_id: int
    sku_id: int
    quantity: int
    short: Decimal


@dataclass(frozen=True)
class PointsRedemption:
    """Points the shopper redeems: ``points`` at ``value_per_point`` each, at most
    ``max_share`` of what the goods still cost after coupons. Borne by the platform."""

    points: int
    value_per_point: Decimal = Decimal("0.01")
    max_share: Decimal = Decimal("0.5")
    bearer: Bearer = PLATFORM


@dataclass(frozen=True)
class Share:
    """One line's (or shipping group's) share of one promotion."""

    ref: str
    step: Step
    amount: Decimal
    platform: Decimal
    merchant: Decimal
    cuts_price: bool


@dataclass
class LineResult:
    key: str
    gross: Decimal  # quantity × unit price
    shares: list[Share] = field(default_factory=list)

    @property
    def price_cut(self) -> Decimal:
        """Real price cuts on the line (lower its transaction price for customs)."""
        return sum((s.amount for s in self.shares if s.cuts_price), Decimal("0"))

    @property
    def non_cash(self) -> Decimal:
        return sum((s.amount for s in self.shares if not s.cuts_price), Decimal("0"))

    @property
    def discount(self) -> Decimal:
        return self.price_cut + self.non_cash

    @property
    def paid(self) -> Decimal:
        """What the buyer pays for the line (commission is computed on this)."""
        return self.gross - self.discount


@dataclass
class Applied:
    ref: str
    step: Step
    amount: Decimal


@dataclass
class Refusal:
    ref: str
    code: str  # below_threshold, not_stackable, coupon_stack_limit, nothing_covered,
    # shipping_free


@dataclass
class PricingResult:
    currency: str
    lines: list[LineResult]
    shipping: dict[str, Decimal]  # group -> shipping after free-shipping coupons
    shipping_shares: dict[str, list[Share]]
    applied: list[Applied]
    refused: list[Refusal]
    points_used: int
    gifts: list[GiftLine] = field(default_factory=list)
    gifts_short: list[GiftShort] = field(default_factory=list)

    @property
    def goods(self) -> Decimal:
        return sum((line.gross for line in self.lines), Decimal("0"))

    @property
    def order_discount(self) -> Decimal:
        """Every discount on the goods (price cuts and non-cash deductions)."""
        return sum((line.discount for line in self.lines), Decimal("0"))

    @property
    def non_cash_deductions(self) -> Decimal:
        return sum((line.non_cash for line in self.lines), Decimal("0"))

    @property
    def shipping_total(self) -> Decimal:
        return sum(self.shipping.values(), Decimal("0"))

    @property
    def total(self) -> Decimal:
        """What the shopper pays for goods and shipping (duties are the duty engine's)."""
        return self.goods - self.order_discount + self.shipping_total


# ---------------------------------------------------------------------------- arithmetic


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` minor units over ``weights`` (minor units, each ≥ 0) in proportion, by
    largest remainder: the parts add up to ``total``; ties go to the earlier weight. With
    ``total ≤ sum(weights)`` no part exceeds its weight."""
    whole = sum(weights)
    if total == 0 or whole == 0:
        return [0] * len(weights)
    parts = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


class _Money:
    """Minor-unit arithmetic of one currency."""

    def __init__(self, digits: int):
        self.unit = Decimal(1).scaleb(-digits)
        self.factor = 10**digits

    def minor(self, amount: Decimal) -> int:
        return int((amount * self.factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def major(self, minor: int) -> Decimal:
        return (Decimal(minor) / self.factor).quantize(self.unit)


def _split(m: _Money, amount: int, bearer: Bearer) -> tuple[Decimal, Decimal]:
    platform, merchant = bearer.split(amount)
    return m.major(platform), m.major(merchant)


# ---------------------------------------------------------------------------- the pipeline


def price_order(
    *,
    lines: Sequence[Line],
    currency: str,
    promotions: Sequence[Promotion] = (),
    points: PointsRedemption | None = None,
    shipping: dict[str, Decimal] | None = None,
    minor_digits: int = 2,
    gifts: Sequence[GiftOffer] = (),
) -> PricingResult:
    """Price ``lines`` through the steps in ``STEPS`` order (module docstring).

    A free-shipping coupon takes its issuer's place at the coupon step, before the shipping
    step knows whether it applies; when the shipping is given and it is refused in an order,
    it **frees that place**: the order is priced again without it there, so a later coupon of
    the same issuer may take the place (each pass can only free more places, so this ends)."""
    freed: dict[tuple[str, str], str] = {}  # (free-shipping ref, group) -> its refusal code
    while True:
        result, refused_in = _price_pass(
            lines=lines,
            currency=currency,
            promotions=promotions,
            points=points,
            shipping=shipping,
            minor_digits=minor_digits,
            gifts=gifts,
            freed=freed,
        )
        if shipping is None or not refused_in.keys() - freed.keys():
            return result
        freed.update(refused_in)


def _price_pass(
    *,
    lines: Sequence[Line],
    currency: str,
    promotions: Sequence[Promotion],
    points: PointsRedemption | None,
    shipping: dict[str, Decimal] | None,
    minor_digits: int,
    gifts: Sequence[GiftOffer],
    freed: dict[tuple[str, str], str],
) -> tuple[PricingResult, dict[tuple[str, str], str]]:
    """One pass of ``price_order``, with the orders whose place a refused free-shipping
    coupon gave up (``freed``); also says where a free-shipping coupon holding a place was
    refused this time."""
    m = _Money(minor_digits)
    results = [LineResult(key=line.key, gross=line.unit_price * line.quantity) for line in lines]
    left = [m.minor(r.gross) for r in results]  # what each line still costs, minor units
    holders: list[set[str]] = [set() for _ in lines]  # promotions on each line
    exclusive: list[bool] = [False] * len(lines)
    applied: list[Applied] = []
    refused: list[Refusal] = []

    def give(i: int, ref: str, step: Step, amount: int, bearer: Bearer, cuts_price: bool):
        platform, merchant = _split(m, amount, bearer)
        results[i].shares.append(
            Share(ref, step, m.major(amount), platform, merchant, cuts_price=cuts_price)
        )
        left[i] -= amount

    # 1. sale: the flash price for the admitted units (a price cut the merchant bears)
    for i, line in enumerate(lines):
        if line.flash_units and line.flash_unit_price is not None:
            units = min(line.flash_units, line.quantity)
            cut = m.minor((line.unit_price - line.flash_unit_price) * units)
            if cut > 0:
                give(i, "flash", Step.SALE, min(cut, left[i]), MERCHANT, cuts_price=True)
                holders[i].add("flash")
    if any(r.shares for r in results):
        applied.append(
            Applied("flash", Step.SALE, sum((r.discount for r in results), Decimal("0")))
        )

    # 2 and 3: spend-and-save, then coupons, in the order given within each step. The
    # coupon limit is per order (shipping group): a coupon takes its issuer's place in each
    # order it covers where that place is free, and covers only those orders' lines.
    coupons_seen: set[tuple[str, int | None]] = set()  # (group, issuer)
    ordered = [p for step in STEPS for p in promotions if p.step == step]
    free_shipping: list[tuple[Promotion, set[str]]] = []
    for promo in ordered:
        scoped = [i for i, line in enumerate(lines) if promo.scope.covers(line)]
        if promo.step == Step.COUPON:
            placed = {
                lines[i].group
                for i in scoped
                if (lines[i].group, promo.issuer_merchant_id) not in coupons_seen
            }
            if scoped and not placed:
                refused.append(Refusal(promo.ref, "coupon_stack_limit"))
                continue
            scoped = [i for i in scoped if lines[i].group in placed]
        if promo.kind == Kind.FREE_SHIPPING:
            given_up = {lines[i].group for i in scoped if (promo.ref, lines[i].group) in freed}
            groups = {lines[i].group for i in scoped} - given_up
            if not groups:
                codes = {freed[promo.ref, g] for g in given_up}
                code = (
                    ("below_threshold" if "below_threshold" in codes else "shipping_free")
                    if given_up
                    else "nothing_covered"
                )
                refused.append(Refusal(promo.ref, code))
                continue
            coupons_seen.update((g, promo.issuer_merchant_id) for g in groups)
            free_shipping.append((promo, groups))
            continue
        covered = [i for i in scoped if not _stack_refusal(promo, holders[i], exclusive[i])]
        if not covered:
            refused.append(Refusal(promo.ref, "not_stackable" if scoped else "nothing_covered"))
            continue
        base = sum(left[i] for i in covered)
        off = min(_discount(m, promo, base), base)
        if off <= 0:
            refused.append(Refusal(promo.ref, "below_threshold"))
            continue
        if promo.step == Step.COUPON:
            coupons_seen.update((lines[i].group, promo.issuer_merchant_id) for i in covered)
        for i, part in zip(covered, allocate(off, [left[i] for i in covered]), strict=True):
            holders[i].add(promo.ref)
            exclusive[i] = exclusive[i] or not promo.stackable
            if part:
                give(i, promo.ref, promo.step, part, promo.bearer, promo.cuts_price)
        applied.append(Applied(promo.ref, promo.step, m.major(off)))

    # 3b. gifts: per order (shipping group), the offer's merchant's goods as they now cost
    given: list[GiftLine] = []
    short: list[GiftShort] = []
    for offer in gifts:
        spent: dict[str, int] = {}
        for i, line in enumerate(lines):
            if line.merchant_id == offer.merchant_id:
                spent[line.group] = spent.get(line.group, 0) + left[i]
        reached = [g for g in spent if spent[g] >= m.minor(offer.threshold) and spent[g] > 0]
        if not reached:
            refused.append(Refusal(offer.ref, "below_threshold" if spent else "nothing_covered"))
        for g in spent:
            if g not in reached:
                more = m.major(max(m.minor(offer.threshold) - spent[g], 0))
                short.append(
                    GiftShort(offer.ref, g, offer.merchant_id, offer.sku_id, offer.quantity, more)
                )
        value = m.minor(offer.unit_value * offer.quantity)
        share = None
        if value > 0:
            platform, merchant = _split(m, value, offer.bearer)
            share = Share(offer.ref, Step.GIFT, m.major(value), platform, merchant, False)
        for g in reached:  # in the lines' order: the first group first
            given.append(
                GiftLine(
                    offer.ref,
                    g,
                    offer.merchant_id,
                    offer.sku_id,
                    offer.quantity,
                    offer.bearer,
                    share,
                )
            )

    # 4. points: a non-cash deduction, at most max_share of what the goods still cost
    points_used = 0
    if points and points.points > 0:
        remaining = sum(left)
        cap = m.minor(m.major(remaining) * points.max_share)
        per_point = m.minor(points.value_per_point)
        if per_point > 0:
            points_used = min(points.points, cap // per_point)
        off = points_used * per_point
        if off:
            for i, part in enumerate(allocate(off, left)):
                if part:
                    give(i, "points", Step.POINTS, part, points.bearer, cuts_price=False)
            applied.append(Applied("points", Step.POINTS, m.major(off)))

    # 5. shipping: a free-shipping coupon takes off the shipping of each order it holds a
    # place in whose goods (as they now cost) reach its threshold; an order already shipped
    # free is refused (``shipping_free``)
    after = dict(shipping or {})
    shipping_shares: dict[str, list[Share]] = {}
    refused_in: dict[tuple[str, str], str] = {}  # where a free-shipping coupon held a place
    for promo, groups in free_shipping:
        off = 0
        codes = set()
        for g in sorted(groups):
            goods = sum(left[i] for i, line in enumerate(lines) if line.group == g)
            if g in after and m.minor(after[g]) == 0:
                codes.add("shipping_free")
                refused_in[promo.ref, g] = "shipping_free"
                continue
            if g not in after or goods < m.minor(promo.threshold):
                codes.add("below_threshold")
                refused_in[promo.ref, g] = "below_threshold"
                continue
            amount = m.minor(after[g])
            platform, merchant = _split(m, amount, promo.bearer)
            shipping_shares.setdefault(g, []).append(
                Share(promo.ref, Step.SHIPPING, m.major(amount), platform, merchant, True)
            )
            after[g] = m.major(0)
            off += amount
        if off:
            applied.append(Applied(promo.ref, Step.SHIPPING, m.major(off)))
        else:
            code = "below_threshold" if "below_threshold" in codes else "shipping_free"
            refused.append(Refusal(promo.ref, code))

    result = PricingResult(
        currency=currency,
        lines=results,
        shipping=after,
        shipping_shares=shipping_shares,
        applied=applied,
        refused=refused,
        points_used=points_used,
        gifts=given,
        gifts_short=short,
    )
    return result, refused_in


def _stack_refusal(promo: Promotion, holders: set[str], exclusive: bool) -> bool:
    """True when ``promo`` may not join a line holding ``holders`` (the stacking rules)."""
    if "flash" in holders:
        return True  # flash-price lines take no spend-and-save or coupon
    others = holders - {"flash"}
    if not others:
        return False
    return exclusive or not promo.stackable


def _discount(m: _Money, promo: Promotion, base: int) -> int:
    """What ``promo`` takes off a covered amount of ``base`` minor units (0: not reached)."""
    if base < m.minor(promo.threshold) or base <= 0:
        return 0
    match promo.kind:
        case Kind.FIXED:
            return m.minor(promo.amount)
        case Kind.PERCENT:
            off = (base * promo.percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            off = int(off)
            return min(off, m.minor(promo.cap)) if promo.cap is not None else off
        case Kind.TIERS:
            reached = [off for spend, off in promo.tiers if base >= m.minor(spend)]
            return m.minor(max(reached)) if reached else 0
    return 0
