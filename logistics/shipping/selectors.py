"""Shipping reads: the cached network and the one pricing function checkout calls.

``shipping_options`` answers "how can this parcel go from this warehouse to this address,
and what does each way cost?" from plain values, so catalog and orders (above this layer)
call down into it without this layer knowing about SKUs or orders.

The network (every active route with its method, carrier and zones) is a few hundred rows
that change rarely: each process keeps it in memory as a ``NetworkBook``, under the version number kept in the
shared cache (``marketplace.cacheversion``). The services bump that number when a change is
written and again once it commits, so an operator's edit reaches every web process and worker on their next call,
and no call reads the network tables otherwise. A call costs one cache read (the version)
and one query (the origin warehouse), whatever the number of parcel lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.utils.translation import gettext as _

from logistics.models import Warehouse
from marketplace.cacheversion import CacheVersion
from marketplace.i18n import pick
from marketplace.localcache import LocalCache
from marketplace.money import Money, MoneyError, convert

from .models import MerchantShipping, ShippingMethod, ShippingRoute
from .rates import ParcelLine, RateTable, Weights, parcel_weights, rate_price
from .regions import province_code, province_from_postal_code

# --------------------------------------------------------------------------------------------
# The cached network
# --------------------------------------------------------------------------------------------


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

    @property
    def name(self) -> str:
        """The method's name in the page language."""
        return pick(self.name_en, self.name_zh_hans)

    @property
    def description(self) -> str:
        return pick(self.description_en, self.description_zh_hans)

    @property
    def carrier_name(self) -> str:
        return pick(self.carrier_name_en, self.carrier_name_zh_hans)


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


#: The network's version number; the services bump it on every write (now and on commit).
network_version = CacheVersion("logistics:network:version")
# Books by version: a change is a new number, so an old book is simply never asked for again.
_books: LocalCache[NetworkBook] = LocalCache(maxsize=2)


def network_bump() -> None:
    """Make every process rebuild its network book on its next call. Call it when a
    network row is written: it bumps at once (the writer's own transaction sees its edit)
    and again on commit (retiring a book another process built from the old rows)."""
    network_version.bump_for_write()


def network_book() -> NetworkBook:
    """The network in force (see the module docstring): rebuilt only when its version moved.

    The version is read before the tables, so an edit committed during a build bumps it
    again and the next call rebuilds."""
    version = network_version.current()
    return _books.get(version, lambda: network_book_from_tables(version))


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
        return self.method.name

    @property
    def method_description(self) -> str:
        return self.method.description

    @property
    def carrier_code(self) -> str:
        return self.method.carrier_code

    @property
    def carrier_name(self) -> str:
        return self.method.carrier_name

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


def serves(*, country: str, kind: str, destination: str) -> bool:
    """Whether some active route serves ``destination`` (a country; a route to one of its
    provinces counts) from a warehouse of ``kind`` in ``country``: the route rule of
    ``shipping_options``, asked before an address has a province (the process's network
    book: no query)."""
    routes, province_matters = _candidates(
        network_book(), country=country, kind=kind, destination=destination.upper(), province=""
    )
    return bool(routes) or province_matters


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
    options.sort(key=lambda o: (o.price_shopper.amount, o.latest, o.method.position, o.method.code))
    refused.sort()
    if options:
        return ShippingQuote(tuple(options), None, tuple(refused))
    reasons = {why for _code, why in refused}
    reason = (
        Unavailable.TOO_HEAVY if Unavailable.TOO_HEAVY in reasons else Unavailable.NO_EXCHANGE_RATE
    )
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
