"""Order reads: a shopper's orders, a merchant's, everyone's for operators, and one order
with what its page shows (docs/ORDERS.md, "Order pages").

Scoping is here, once: a shopper reaches only their own orders (``order_for_shopper``), a
merchant only its own (``order_for_merchant``); anything else is ``Order.DoesNotExist``, which
the doors turn into a 404, exactly as for a number that does not exist.

Costs are fixed whatever the number of orders and lines: a list is one query for the page of
orders (merchant joined) and one for their lines; a detail is one for the order (checkout,
merchant, warehouse and method joined), one each for its lines, their allocations with the
stock's warehouse, its events with their actors, and its refund requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from customs.codec import tax_kind_name
from marketplace.i18n import page_language, pick
from marketplace.money import Money
from orders.flow import (
    ACCEPTABLE,
    ORDER_FLOW,
    REFUND_REQUESTABLE,
    SHOPPER_CANCELLABLE,
    pack_refusal,
)
from orders.models import (
    Allocation,
    LinePromotionShare,
    Order,
    OrderEvent,
    OrderLine,
    OrderPromotionShare,
    RefundRequest,
)

S = Order.Status

# Events the shopper's history shows: the lifecycle's moves and the merchant's acceptance;
# a merchant's notes stay with the merchant's team (and operators).
NOTE = "note"
ACCEPT = "accept"
SHOPPER_HIDDEN_EVENTS = frozenset({NOTE})


@dataclass(frozen=True)
class OrderFilters:
    """What a merchant's or an operator's list is narrowed to; empty values do not filter.
    ``q`` finds an order (or a checkout) by its number, or part of it."""

    status: str = ""
    mode: str = ""
    merchant_id: int | None = None
    placed_from: date | None = None
    placed_to: date | None = None
    q: str = ""


def _list_shape(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.select_related("merchant").prefetch_related(
        Prefetch(
            "lines",
            queryset=OrderLine.objects.only(
                "id", "order_id", "sku_code", "name_en", "name_zh_hans", "quantity"
            ),
        )
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(queryset: QuerySet[Order], filters: OrderFilters | None) -> QuerySet[Order]:
    if filters is None:
        return queryset
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.mode:
        queryset = queryset.filter(clearance_mode=filters.mode)
    if filters.merchant_id:
        queryset = queryset.filter(merchant_id=filters.merchant_id)
    if filters.placed_from:
        queryset = queryset.filter(created_at__gte=_day_start(filters.placed_from))
    if filters.placed_to:
        queryset = queryset.filter(created_at__lt=_day_start(filters.placed_to + timedelta(days=1)))
    if filters.q:
        term = filters.q.strip().upper()
        queryset = queryset.filter(Q(number__contains=term) | Q(checkout__number__contains=term))
    return queryset


def orders_for_shopper(user) -> QuerySet[Order]:
    """The shopper's orders, newest first, with their merchant and lines (two queries)."""
    return _list_shape(Order.objects.filter(user=user)).order_by("-created_at", "-id")


def orders_for_merchant(merchant, filters: OrderFilters | None = None) -> QuerySet[Order]:
    """The merchant's orders only (tenant-scoped), filtered, newest first. Orders still
    awaiting payment are the shopper's business: a merchant sees an order once it is paid
    (or was cancelled after payment)."""
    queryset = Order.objects.filter(merchant=merchant).exclude(paid_at__isnull=True)
    return _list_shape(_filtered(queryset, filters)).order_by("-created_at", "-id")


def orders_for_operator(filters: OrderFilters | None = None) -> QuerySet[Order]:
    """Every order, filtered, newest first (the back office)."""
    return _list_shape(_filtered(Order.objects.all(), filters)).order_by("-created_at", "-id")


def _detail_shape(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.select_related("checkout", "merchant", "warehouse", "shipping_method")


def order_for_shopper(user, number: str) -> Order:
    """The shopper's order ``number`` (``Order.DoesNotExist`` for anyone else's)."""
    if not getattr(user, "is_authenticated", False):
        raise Order.DoesNotExist
    return _detail_shape(Order.objects.filter(user=user)).get(number=number)


def order_for_merchant(merchant, number: str) -> Order:
    """The merchant's order ``number`` (``Order.DoesNotExist`` for another merchant's, and
    for one not paid yet, as in ``orders_for_merchant``)."""
    return _detail_shape(Order.objects.filter(merchant=merchant).exclude(paid_at__isnull=True)).get(
        number=number
    )


# --- one order's page ------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxRow:
    name: str
    rate: str
    amount: Money
    waived: bool = False


@dataclass(frozen=True)
class DutyLine:
    sku_code: str
    name: str
    hs_code: str
    taxes: list[TaxRow]
    total: Money


@dataclass(frozen=True)
class DutiesView:
    """The duties and taxes as the shopper saw them at checkout (the order's frozen
    ``duties``, the duty engine's stored result: ``customs.codec.result_to_json``), line by
    line, in the regime's currency; ``total`` is what the order charged, in its currency."""

    regime: str
    collected: bool
    currency: str
    lines: list[DutyLine]
    totals: list[TaxRow]
    total: Money
    estimate: Money | None  # the regime's tax total (what is paid on import when not collected)

    @property
    def empty(self) -> bool:
        return not self.lines and not self.totals


def _amount(value, currency: str) -> Money:
    try:
        return Money(Decimal(str(value if value not in (None, "") else "0")), currency)
    except (InvalidOperation, ValueError):
        return Money(Decimal("0"), currency)


def _tax_name(kind: str, language: str) -> str:
    """The tax's name (a kind the engine no longer knows is shown as it was stored)."""
    try:
        return tax_kind_name(kind, language)
    except ValueError:
        return str(kind)


def _rate(value) -> str:
    """``"0.091"`` → ``"9.1%"``: a rate as people read it."""
    try:
        percent = (Decimal(str(value)) * 100).normalize()
    except (InvalidOperation, ValueError):
        return ""
    return f"{percent:f}%"


def duties_view(order: Order, *, names: dict[str, str] | None = None, language=None) -> DutiesView:
    """The order's frozen duty figures for a page or the API, in ``language`` (the active
    one by default). ``names``: SKU code → product name, for the lines."""
    language = page_language(language)
    data = order.duties or {}
    currency = data.get("currency") or order.currency
    regime = data.get("regime") or {}
    if isinstance(regime, dict):
        regime_name = pick(regime.get("en", ""), regime.get("zh_hans", ""), language)
    else:
        regime_name = str(regime)
    lines = []
    for line in data.get("lines") or []:
        taxes = [
            TaxRow(
                name=_tax_name(tax.get("kind", ""), language),
                rate=_rate(tax.get("rate")),
                amount=_amount(tax.get("due", tax.get("amount")), currency),
                waived=bool(tax.get("waived")),
            )
            for tax in line.get("taxes") or []
        ]
        sku = line.get("sku", "")
        lines.append(
            DutyLine(
                sku_code=sku,
                name=(names or {}).get(sku, sku),
                hs_code=line.get("hs_code", ""),
                taxes=taxes,
                total=_amount(line.get("tax_total"), currency),
            )
        )
    totals = data.get("totals") or {}
    if isinstance(totals, dict):
        total_rows = [
            TaxRow(name=_tax_name(kind, language), rate="", amount=_amount(amount, currency))
            for kind, amount in totals.items()
        ]
    else:  # the presenter's list shape
        total_rows = [
            TaxRow(
                name=_tax_name(row.get("kind", ""), language),
                rate="",
                amount=_amount(row.get("amount"), currency),
            )
            for row in totals
        ]
    estimate = _amount(data["tax_total"], currency) if "tax_total" in data else None
    return DutiesView(
        regime=regime_name,
        collected=bool(data.get("collected_at_checkout", order.duty_total > 0)),
        currency=currency,
        lines=lines,
        totals=total_rows,
        total=Money(order.duty_total, order.currency),
        estimate=estimate,
    )


EVENT_LABELS = {
    ACCEPT: gettext_lazy("Accepted by the seller"),
    NOTE: gettext_lazy("Note changed"),
    "refund_request": gettext_lazy("Refund asked for"),
    "refund_decline": gettext_lazy("Refund request declined"),
    "refund_partial": gettext_lazy("Partly refunded"),
}


def event_label(event: OrderEvent) -> str:
    """What an event is, as people read it: the status reached, or the action."""
    if event.transition in EVENT_LABELS:
        return str(EVENT_LABELS[event.transition])
    if event.to_state in S.values:
        return str(S(event.to_state).label)
    return event.transition


def event_who(event: OrderEvent, order: Order) -> str:
    """Who acted, without naming people to the shopper: them, the seller, an operator, or
    the platform (a task, a payment's announcement)."""
    if event.actor_id is None:
        return gettext("Silkway")
    if event.actor_id == order.user_id:
        return gettext("Shopper")
    if event.actor.is_staff:
        return gettext("Operator")
    return gettext("Seller")


@dataclass
class OrderDetail:
    """One order as its pages show it: lines (with their allocations), the event history,
    the refund requests, the duties, the shipping option as chosen, and the payment."""

    order: Order
    lines: list[OrderLine]
    events: list[OrderEvent]
    refund_requests: list[RefundRequest]
    duties: DutiesView
    shipping: dict = field(default_factory=dict)

    @property
    def checkout(self):
        return self.order.checkout

    @property
    def open_refund_request(self) -> RefundRequest | None:
        return next(
            (r for r in self.refund_requests if r.status == RefundRequest.Status.OPEN), None
        )

    @property
    def refundable(self) -> Money:
        """What can still be refunded, in the order's currency."""
        return Money(self.order.total - self.order.refunded_total, self.order.currency)

    @property
    def can_pack(self) -> bool:
        return ORDER_FLOW.can(self.order, "pack") and pack_refusal(self.order) is None

    @property
    def can_accept(self) -> bool:
        return self.order.accepted_at is None and self.order.status in ACCEPTABLE

    @property
    def shopper_can_cancel(self) -> bool:
        return self.order.status in SHOPPER_CANCELLABLE

    @property
    def shopper_can_request_refund(self) -> bool:
        return (
            self.order.status in REFUND_REQUESTABLE
            and self.order.refunded_total < self.order.total
            and self.open_refund_request is None
        )

    @property
    def can_refund(self) -> bool:
        """The merchant or an operator may refund (part of) what is left: a paid order."""
        return (
            self.order.paid_at is not None
            and self.order.refunded_total < self.order.total
            and (self.order.status != S.CANCELLED)
        )

    @property
    def shopper_events(self) -> list[OrderEvent]:
        return [e for e in self.events if e.transition not in SHOPPER_HIDDEN_EVENTS]

    @property
    def shipping_method_name(self) -> str:
        """The method as the shopper chose it (frozen names), else its name today."""
        frozen = pick(
            self.shipping.get("method_name_en") or self.shipping.get("method_name", ""),
            self.shipping.get("method_name_zh_hans", ""),
        )
        return frozen or self.order.shipping_method.name

    @property
    def carrier_name(self) -> str:
        return pick(
            self.shipping.get("carrier_name_en") or self.shipping.get("carrier_name", ""),
            self.shipping.get("carrier_name_zh_hans", ""),
        )

    @property
    def delivery_days(self) -> tuple[int, int] | None:
        """The promised delivery window in days, as chosen at checkout."""
        low, high = self.shipping.get("min_days"), self.shipping.get("max_days")
        if low is None or high is None:
            return None
        return int(low), int(high)

    @property
    def delivery_dates(self) -> tuple[str, str] | None:
        low, high = self.shipping.get("earliest"), self.shipping.get("latest")
        return (low, high) if low and high else None


def order_detail(order: Order, *, language=None) -> OrderDetail:
    """Everything one order's page shows, in a fixed number of queries."""
    lines = list(
        OrderLine.objects.filter(order=order).prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("stock__warehouse").order_by("id"),
            )
        )
    )
    events = list(OrderEvent.objects.filter(subject=order).select_related("actor"))
    for event in events:
        event.label = event_label(event)
        event.who = event_who(event, order)
    requests = list(
        RefundRequest.objects.filter(order=order).select_related("requested_by", "decided_by")
    )
    names = {line.sku_code: line.name for line in lines}
    return OrderDetail(
        order=order,
        lines=lines,
        events=events,
        refund_requests=requests,
        duties=duties_view(order, names=names, language=language),
        shipping=dict(order.shipping or {}),
    )


# What the pricing pipeline's steps are called where a merchant reads them.
PROMOTION_STEP_LABELS = {
    "sale": gettext_lazy("Flash-sale price"),
    "spend_and_save": gettext_lazy("Spend and save"),
    "coupon": gettext_lazy("Coupons"),
    "gift": gettext_lazy("Gifts with purchase"),
    "points": gettext_lazy("Points"),
    "shipping": gettext_lazy("Free shipping"),
}


@dataclass(frozen=True)
class PromotionCost:
    """The order's discounts of one pricing step and who bears them (listing currency)."""

    step: str
    label: str
    currency: str
    amount: Decimal
    merchant_bears: Decimal
    platform_bears: Decimal


def promotion_costs(order: Order) -> list[PromotionCost]:
    """The order's promotions by pricing step, with the merchant's and the platform's part of
    each (``LinePromotionShare`` on the goods, ``OrderPromotionShare`` on the shipping: what
    settlement charges); one query."""

    def summed(shares):
        return (
            shares.values("step", "currency")
            .annotate(
                amount=Sum("amount"),
                merchant=Sum("merchant_bears"),
                platform=Sum("platform_bears"),
            )
            .order_by()
        )

    rows = summed(LinePromotionShare.objects.filter(line__order=order)).union(
        summed(OrderPromotionShare.objects.filter(order=order)), all=True
    )
    order_of = {step: n for n, step in enumerate(PROMOTION_STEP_LABELS)}
    return sorted(
        (
            PromotionCost(
                step=row["step"],
                label=str(PROMOTION_STEP_LABELS.get(row["step"], row["step"])),
                currency=row["currency"],
                amount=row["amount"],
                merchant_bears=row["merchant"],
                platform_bears=row["platform"],
            )
            for row in rows
        ),
        key=lambda cost: order_of.get(cost.step, len(order_of)),
    )
