"""Shipping reads: the cached network and the one pricing function checkout calls.

``shipping_options`` answers "how can this parcel go from this warehouse to this address,
and what does each way cost?" from plain values, so catalog and orders (above this layer)
call down into it without this layer knowing about SKUs or orders.

The network (every active route with its method, carrier and zones) is a few hundred rows
that change rarely: each process keeps it in memory as a ``NetworkBook``, tagged with a
version number kept in the shared cache. The services bump that number once a change
commits, so an operator's edit reaches every web process and worker on their next call,
and no call reads the network tables otherwise. A call costs one cache read (the version)
and one query (the origin warehouse), whatever the number of parcel lines.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from logistics.models import Warehouse
from marketplace.money import Money, MoneyError, convert

from .models import MerchantShipping, ShippingMethod, ShippingRoute
from .rates import ParcelLine, RateTable, Weights, parcel_weights, rate_price
from .regions import province_code, province_from_postal_code

NETWORK_VERSION_KEY = "logistics:network:version"


# --------------------------------------------------------------------------------------------
# The cached network
# --------------------------------------------------------------------------------------------


def _pick(en: str, zh: str) -> str:
    """The name in the active language, falling back to the other one."""
    if (get_language() or "").lower().startswith("zh"):
        return zh or en
    return en or zh


@dataclass(frozen=True, slots=True)
class MethodEntry:
    """A method as the network book holds it (names in both languages)."""

    id: int
    code: str
    name_en: str
    name_zh_hans: str
    description_en: str
    description_zh_hans: str
    kind: str
    currency: str
    volumetric_divisor: int | None
    max_weight_kg: Decimal | None
    free_shipping_eligible: bool
    position: int
    carrier_code: str
    carrier_name_en: str
    carrier_name_zh_hans: str


@dataclass(frozen=True, slots=True)
class RouteEntry:
    id: int
    method: MethodEntry
    origin_countries: frozenset[str]
    origin_kind: str
    destination: frozenset[str]
    min_days: int
    max_days: int
    working_days: bool
    table: RateTable

    def specificity(self, country: str, province: str) -> int:
        """0: the destination is not in the zone; 1: its country is; 2: its province is."""
        if province and province in self.destination:
            return 2
        return 1 if country in self.destination else 0


@dataclass(frozen=True, slots=True)
class NetworkBook:
    version: int
    routes_by_origin_country: Mapping[str, tuple[RouteEntry, ...]]


def _method_entry(method: ShippingMethod) -> MethodEntry:
    carrier = method.carrier
    return MethodEntry(
        id=method.pk,
        code=method.code,
        name_en=method.name_en or "",
        name_zh_hans=method.name_zh_hans or "",
        description_en=method.description_en or "",
        description_zh_hans=method.description_zh_hans or "",
        kind=method.kind,
        currency=method.currency_id,
        volumetric_divisor=method.volumetric_divisor,
        max_weight_kg=method.max_weight_kg,
        free_shipping_eligible=method.free_shipping_eligible,
        position=method.position,
        carrier_code=carrier.code,
        carrier_name_en=carrier.name_en or "",
        carrier_name_zh_hans=carrier.name_zh_hans or "",
    )


def network_book_from_tables(version: int = 0) -> NetworkBook:
    """Read every active route of an active method of an active carrier (one query)."""
    rows = (
        ShippingRoute.objects.filter(
            is_active=True, method__is_active=True, method__carrier__is_active=True
        )
        .select_related("method__carrier", "origin_zone", "destination_zone")
        .order_by("pk")
    )
    methods: dict[int, MethodEntry] = {}
    by_country: dict[str, list[RouteEntry]] = defaultdict(list)
    for row in rows:
        method = methods.get(row.method_id) or methods.setdefault(
            row.method_id, _method_entry(row.method)
        )
        origins = frozenset(t for t in row.origin_zone.member_list if "-" not in t)
        entry = RouteEntry(
            id=row.pk,
            method=method,
            origin_countries=origins,
            origin_kind=row.origin_kind,
            destination=frozenset(row.destination_zone.member_list),
            min_days=row.min_days,
            max_days=row.max_days,
            working_days=row.working_days,
            table=RateTable(
                first_weight_kg=row.first_weight_kg,
                first_weight_price=row.first_weight_price,
                step_kg=row.step_kg,
                step_price=row.step_price,
                minimum_charge=row.minimum_charge,
            ),
        )
        for country in origins:
            by_country[country].append(entry)
    return NetworkBook(version, {k: tuple(v) for k, v in by_country.items()})


_shared: dict[str, NetworkBook] = {}  # the last book built, shared by the process's threads
_build_lock = threading.Lock()


def network_version() -> int:
    """The network's current version number (started from the clock when the cache has
    none, so a number is never reused after a flush or an eviction)."""
    version = cache.get(NETWORK_VERSION_KEY)
    if version is None:
        cache.add(NETWORK_VERSION_KEY, time.time_ns() // 1000, None)
        version = cache.get(NETWORK_VERSION_KEY)
    return version


def network_bump() -> None:
    """Make every process rebuild its network book on its next call (run on commit)."""
    _shared.pop("book", None)
    try:
        cache.incr(NETWORK_VERSION_KEY)
    except ValueError:  # no number yet: the next read starts a fresh one
        network_version()


def network_book() -> NetworkBook:
    """The network in force (see the module docstring): rebuilt only when its version moved."""
    version = network_version()
    book = _shared.get("book")
    if book is not None and book.version == version:
        return book
    with _build_lock:
        book = _shared.get("book")
        if book is None or book.version != version:
            # The version is read before the tables: an edit committed during the build
            # bumps it again, so the next call rebuilds.
            book = network_book_from_tables(version)
            _shared["book"] = book
    return book


# --------------------------------------------------------------------------------------------
# Pricing
# --------------------------------------------------------------------------------------------


class Unavailable(StrEnum):
    """Why no method serves a parcel (machine codes; ``reason_text`` says it to people)."""

    ORIGIN_UNKNOWN = "origin_unknown"
    NO_ROUTE = "no_route"
    PROVINCE_REQUIRED = "province_required"
    TOO_HEAVY = "too_heavy"
    NO_EXCHANGE_RATE = "no_exchange_rate"


def reason_text(reason: Unavailable) -> str:
    """The reason in the active language, for shoppers."""
    texts = {
        Unavailable.ORIGIN_UNKNOWN: _("This warehouse does not ship at the moment."),
        Unavailable.NO_ROUTE: _("We cannot ship from this warehouse to this address yet."),
        Unavailable.PROVINCE_REQUIRED: _(
            "Choose the province of the address: shipping costs depend on it."
        ),
        Unavailable.TOO_HEAVY: _(
            "The parcel is too heavy for every method on this route: split the order."
        ),
        Unavailable.NO_EXCHANGE_RATE: _(
            "Shipping cannot be priced in your currency at the moment."
        ),
    }
    return str(texts[reason])


@dataclass(frozen=True, slots=True)
class ShippingOption:
    """One way to ship a parcel, priced. ``price`` is in the method's currency (exact),
    ``price_shopper`` the same in the shopper's currency (rounded once, half-up);
    ``list_price`` is what it costs without free shipping."""

    route_id: int
    method: MethodEntry
    weights: Weights
    list_price: Money
    price: Money
    price_shopper: Money
    free_shipping: bool
    min_days: int
    max_days: int
    working_days: bool
    earliest: date
    latest: date

    @property
    def method_code(self) -> str:
        return self.method.code

    @property
    def method_name(self) -> str:
        return _pick(self.method.name_en, self.method.name_zh_hans)

    @property
    def method_description(self) -> str:
        return _pick(self.method.description_en, self.method.description_zh_hans)

    @property
    def carrier_code(self) -> str:
        return self.method.carrier_code

    @property
    def carrier_name(self) -> str:
        return _pick(self.method.carrier_name_en, self.method.carrier_name_zh_hans)

    @property
    def kind(self) -> str:
        return self.method.kind

    @property
    def chargeable_weight_kg(self) -> Decimal:
        return self.weights.chargeable_kg


@dataclass(frozen=True, slots=True)
class ShippingQuote:
    """The answer of ``shipping_options``: options cheapest first, or why there are none.

    ``refused`` lists methods that serve the route but not this parcel (``too_heavy``),
    or that cannot be shown in the shopper's currency (``no_exchange_rate``)."""

    options: tuple[ShippingOption, ...]
    reason: Unavailable | None = None
    refused: tuple[tuple[str, Unavailable], ...] = field(default=())

    @property
    def available(self) -> bool:
        return bool(self.options)

    @property
    def message(self) -> str:
        return reason_text(self.reason) if self.reason else ""


def add_days(start: date, days: int, *, working_days: bool) -> date:
    """``start`` plus ``days`` calendar days, or plus ``days`` working days (Monday to
    Friday; a parcel handed over on a weekend starts counting on Monday)."""
    if not working_days:
        return start + timedelta(days=days)
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _free_shipping_reached(subtotal: Money, threshold: Money | None, rates, base: str) -> bool:
    """Subtotal at or above the merchant's threshold (converted to the subtotal's currency
    at the frozen rates, rounded half-up to its minor unit, when the currencies differ)."""
    if threshold is None:
        return False
    limit = convert(threshold, subtotal.currency, rates, base=base)
    return subtotal.amount >= limit.amount


def _candidates(
    book: NetworkBook, *, country: str, kind: str, destination: str, province: str
) -> tuple[list[RouteEntry], bool]:
    """The route each method would use from a warehouse in ``country`` of ``kind`` to the
    address, and whether some route depends on a province the address lacks.

    Per method the most specific route wins: a province member beats its country, and a
    route for the warehouse's kind beats one for any kind (the services refuse two routes
    that would tie)."""
    best: dict[int, tuple[tuple[int, int], RouteEntry]] = {}
    province_matters = False
    for route in book.routes_by_origin_country.get(country, ()):
        if route.origin_kind and route.origin_kind != kind:
            continue
        if not province and any(t.startswith(f"{destination}-") for t in route.destination):
            province_matters = True
        rank = (route.specificity(destination, province), 1 if route.origin_kind else 0)
        if rank[0] == 0:
            continue
        held = best.get(route.method.id)
        if held is None or rank > held[0]:
            best[route.method.id] = (rank, route)
    return [route for _rank, route in best.values()], province_matters


def shipping_options(
    *,
    warehouse_id: int,
    country: str,
    lines: Sequence[ParcelLine] | Iterable[ParcelLine],
    goods_subtotal: Money,
    free_shipping_threshold: Money | None,
    currency: str,
    fx_rates: Mapping[str, Decimal],
    ship_on: date,
    province: str = "",
    postal_code: str = "",
) -> ShippingQuote:
    """How one parcel can go from ``warehouse_id`` to an address, each way priced, cheapest
    first (in the shopper's currency; ties: earliest latest-delivery date, then the
    method's position).

    - ``country`` is the ISO 3166-1 code of the address; for China, ``province`` (``XJ``
      or ``CN-XJ``) or else a six-digit ``postal_code`` places it in a province.
    - ``lines`` are the parcel's contents as plain values (quantity, unit gross weight in
      kg, outer dimensions in cm).
    - ``goods_subtotal`` is the merchant's goods total of the order, compared with the
      merchant's ``free_shipping_threshold`` (``None``: no free shipping); at or above it,
      the methods covered by free shipping cost nothing.
    - ``currency`` and ``fx_rates`` are the shopper's currency and the frozen rates
      (currency -> base units, as ``marketplace.money.convert`` takes them).
    - ``ship_on`` is the day the parcel is handed to the carrier; delivery windows are
      dates counted from it.

    One query (the warehouse) and one cache read; the network comes from the process's
    book. Returns a ``ShippingQuote`` whose ``reason`` says why there is no option.
    """
    lines = list(lines)
    if not lines:
        raise ValueError("a parcel needs at least one line")
    base = settings.BASE_CURRENCY
    target = currency.upper()
    destination = (country or "").strip().upper()
    place = province_code(destination, province) or province_from_postal_code(
        destination, postal_code
    )

    origin = (
        Warehouse.objects.filter(pk=warehouse_id, is_active=True).values("country", "kind").first()
    )
    if origin is None:
        return ShippingQuote((), Unavailable.ORIGIN_UNKNOWN)

    routes, province_matters = _candidates(
        network_book(),
        country=origin["country"],
        kind=origin["kind"],
        destination=destination,
        province=place,
    )
    if province_matters:
        return ShippingQuote((), Unavailable.PROVINCE_REQUIRED)
    if not routes:
        return ShippingQuote((), Unavailable.NO_ROUTE)

    free = _free_shipping_reached(goods_subtotal, free_shipping_threshold, fx_rates, base)
    options: list[ShippingOption] = []
    refused: list[tuple[str, Unavailable]] = []
    for route in routes:
        method = route.method
        weights = parcel_weights(lines, method.volumetric_divisor)
        if method.max_weight_kg is not None and weights.chargeable_kg > method.max_weight_kg:
            refused.append((method.code, Unavailable.TOO_HEAVY))
            continue
        list_price = Money(rate_price(route.table, weights.chargeable_kg), method.currency)
        is_free = free and method.free_shipping_eligible
        price = Money(Decimal(0), method.currency) if is_free else list_price
        try:
            shown = convert(price, target, fx_rates, base=base)
        except MoneyError:
            refused.append((method.code, Unavailable.NO_EXCHANGE_RATE))
            continue
        options.append(
            ShippingOption(
                route_id=route.id,
                method=method,
                weights=weights,
                list_price=list_price,
                price=price,
                price_shopper=shown,
                free_shipping=is_free,
                min_days=route.min_days,
                max_days=route.max_days,
                working_days=route.working_days,
                earliest=add_days(ship_on, route.min_days, working_days=route.working_days),
                latest=add_days(ship_on, route.max_days, working_days=route.working_days),
            )
        )
    options.sort(
        key=lambda o: (o.price_shopper.amount, o.latest, o.method.position, o.method.code)
    )
    refused.sort()
    if options:
        return ShippingQuote(tuple(options), None, tuple(refused))
    reasons = {why for _code, why in refused}
    reason = Unavailable.TOO_HEAVY if Unavailable.TOO_HEAVY in reasons else Unavailable.NO_EXCHANGE_RATE
    return ShippingQuote((), reason, tuple(refused))


# --------------------------------------------------------------------------------------------
# Merchants' free-shipping thresholds
# --------------------------------------------------------------------------------------------


def merchant_shipping_for(merchant) -> MerchantShipping | None:
    """The merchant's shipping terms row, or ``None`` when it never set any."""
    return MerchantShipping.objects.for_merchant(merchant).select_related("updated_by").first()


def free_shipping_thresholds(merchant_ids: Iterable[int]) -> dict[int, Money]:
    """Each merchant's free-shipping threshold (one query); merchants without one are
    absent. Checkout passes these to ``shipping_options``."""
    rows = MerchantShipping.objects.filter(
        merchant_id__in=list(merchant_ids), free_shipping_threshold__isnull=False
    ).values_list("merchant_id", "free_shipping_threshold", "currency_id")
    return {merchant_id: Money(amount, code) for merchant_id, amount, code in rows}


def free_shipping_methods() -> list[MethodEntry]:
    """The methods a free-shipping threshold covers (active, with at least one route),
    in their display order: what the seller page tells merchants they would pay for."""
    seen: dict[int, MethodEntry] = {}
    for routes in network_book().routes_by_origin_country.values():
        for route in routes:
            if route.method.free_shipping_eligible:
                seen.setdefault(route.method.id, route.method)
    return sorted(seen.values(), key=lambda m: (m.position, m.code))


def method_display_name(method: MethodEntry) -> str:
    return _pick(method.name_en, method.name_zh_hans)
