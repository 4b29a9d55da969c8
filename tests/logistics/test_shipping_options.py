"""The function checkout calls: options for one parcel, cheapest first, in the shopper's
currency, with free shipping, delivery dates, and a reason when nothing serves."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import translation

from logistics.shipping.models import ShippingMethod
from logistics.shipping.rates import ParcelLine
from logistics.shipping.selectors import Unavailable, shipping_options
from logistics.shipping.services import network_save
from marketplace.money import Money
from tests.factories import WarehouseFactory
from tests.logistics.shipping_helpers import (
    RATES,
    carrier,
    cny,
    method,
    route,
    switch_off_seeded_network,
    zone,
)

pytestmark = pytest.mark.django_db

FRIDAY = date(2026, 12, 4)
ONE_KG = [ParcelLine(1, D("1.0"))]


@pytest.fixture
def net(django_capture_on_commit_callbacks):
    """China (with a remote-province zone), Europe, Japan; a postal method in CNY, an
    express method in USD (not covered by free shipping, 30 kg limit), a domestic one."""
    switch_off_seeded_network()
    with django_capture_on_commit_callbacks(execute=True):
        china = zone("t-cn", "CN")
        remote = zone("t-remote", "CN-XJ CN-XZ")
        europe = zone("t-eu", "FR DE")
        japan = zone("t-jp", "JP")
        post = carrier("t-post")
        courier = carrier("t-courier")
        postal = method("t-postal", post, position=2)
        express = method(
            "t-express",
            courier,
            kind=ShippingMethod.Kind.EXPRESS,
            currency_id="USD",
            volumetric_divisor=5000,
            max_weight_kg=D("30"),
            free_shipping_eligible=False,
            position=1,
        )
        domestic = method("t-domestic", post, kind=ShippingMethod.Kind.DOMESTIC)
        # Japan -> China: postal 90.00 + 25.00/0.5 kg; express US$40 + 10/0.5 kg.
        route(
            postal, japan, china, min_days=10, max_days=15,
            first_weight_kg=D("0.5"), first_weight_price=D("90.00"),
            step_kg=D("0.5"), step_price=D("25.00"),
        )  # fmt: skip
        route(
            express, japan, china, min_days=4, max_days=6,
            first_weight_kg=D("0.5"), first_weight_price=D("40.00"),
            step_kg=D("0.5"), step_price=D("10.00"),
        )  # fmt: skip
        # China (bonded warehouses only) -> China, and a dearer remote-province route.
        route(domestic, china, china, origin_kind="bonded", min_days=1, max_days=5,
              working_days=True)  # fmt: skip
        route(domestic, china, remote, origin_kind="bonded", min_days=3, max_days=7,
              working_days=True, first_weight_price=D("24.00"), step_price=D("12.00"))  # fmt: skip
        route(express, china, europe, min_days=3, max_days=5)
    return {
        "tokyo": WarehouseFactory(kind="overseas", country="JP"),
        "bonded": WarehouseFactory(kind="bonded", country="CN"),
        "domestic": WarehouseFactory(kind="domestic", country="CN"),
        "express": express,
        "postal": postal,
    }


def quote(warehouse, country="CN", *, lines=ONE_KG, subtotal="100.00", threshold=None,
          currency="CNY", **kwargs):  # fmt: skip
    return shipping_options(
        warehouse_id=warehouse.pk,
        country=country,
        lines=lines,
        goods_subtotal=cny(subtotal),
        free_shipping_threshold=threshold,
        currency=currency,
        fx_rates=RATES,
        ship_on=FRIDAY,
        **kwargs,
    )


def test_options_come_cheapest_first_in_the_shoppers_currency(net):
    result = quote(net["tokyo"])
    assert [o.method_code for o in result.options] == ["t-postal", "t-express"]
    postal, express = result.options
    # 1 kg = first 0.5 kg + one step on both.
    assert postal.price == Money(D("115.00"), "CNY") and postal.price_shopper == postal.price
    assert express.price == Money(D("50.00"), "USD")
    assert express.price_shopper == Money(D("355.00"), "CNY")  # 50 × 7.10
    assert (express.carrier_code, express.kind) == ("t-courier", "express")


def test_a_euro_shopper_sees_each_price_converted_and_rounded_once(net):
    result = quote(net["tokyo"], currency="EUR")
    prices = {o.method_code: o.price_shopper for o in result.options}
    # 115 CNY / 7.70 = 14.935… -> 14.94; US$50 × 7.10 / 7.70 = 46.103… -> 46.10
    assert prices == {"t-postal": Money(D("14.94"), "EUR"), "t-express": Money(D("46.10"), "EUR")}


def test_the_heavier_of_actual_and_volumetric_weight_is_charged(net):
    bulky = [ParcelLine(1, D("1.0"), D("50"), D("40"), D("30"))]  # 60,000 cm³ = 12 kg at 5000
    result = quote(net["tokyo"], lines=bulky)
    by_code = {o.method_code: o for o in result.options}
    assert by_code["t-express"].chargeable_weight_kg == D("12.000")
    assert by_code["t-express"].price == Money(D("270.00"), "USD")  # 40 + 23 steps × 10
    # The postal method has no divisor: actual weight.
    assert by_code["t-postal"].chargeable_weight_kg == D("1.000")


def test_free_shipping_from_exactly_the_threshold_and_not_one_fen_under(net):
    threshold = cny("199.00")
    at = quote(net["tokyo"], subtotal="199.00", threshold=threshold)
    postal, express = at.options
    assert postal.free_shipping and postal.price == Money(D("0"), "CNY")
    assert postal.list_price == Money(D("115.00"), "CNY")
    assert not express.free_shipping and express.price == Money(D("50.00"), "USD")

    under = quote(net["tokyo"], subtotal="198.99", threshold=threshold)
    assert not any(o.free_shipping for o in under.options)
    assert under.options[0].price == Money(D("115.00"), "CNY")

    never = quote(net["tokyo"], subtotal="99999.00", threshold=None)
    assert not any(o.free_shipping for o in never.options)


def test_a_threshold_in_another_currency_is_converted_at_the_frozen_rates(net):
    threshold = Money(D("30.00"), "USD")  # = 213.00 CNY at 7.10
    assert quote(net["tokyo"], subtotal="213.00", threshold=threshold).options[0].free_shipping
    assert not quote(net["tokyo"], subtotal="212.99", threshold=threshold).options[0].free_shipping


def test_delivery_windows_are_dates_from_the_day_of_handover(net):
    tokyo = {o.method_code: o for o in quote(net["tokyo"]).options}
    assert (tokyo["t-postal"].earliest, tokyo["t-postal"].latest) == (
        date(2026, 12, 14),
        date(2026, 12, 19),
    )
    bonded = quote(net["bonded"], province="ZJ").options[0]
    # 1-5 working days from a Friday: Monday to Friday of the next week.
    assert (bonded.min_days, bonded.max_days, bonded.working_days) == (1, 5, True)
    assert (bonded.earliest, bonded.latest) == (date(2026, 12, 7), date(2026, 12, 11))


def test_a_province_route_beats_its_country_and_the_province_is_required(net):
    zhejiang = quote(net["bonded"], province="ZJ").options[0]
    xinjiang = quote(net["bonded"], province="CN-XJ").options[0]
    assert (zhejiang.price.amount, xinjiang.price.amount) == (D("10.00"), D("24.00"))
    assert xinjiang.max_days == 7
    # A Chinese postal code places the address when no province is given (830000 = Ürümqi).
    assert quote(net["bonded"], postal_code="830000").options[0].price.amount == D("24.00")
    assert quote(net["bonded"], postal_code="310000").options[0].price.amount == D("10.00")

    missing = quote(net["bonded"])
    assert (missing.options, missing.reason) == ((), Unavailable.PROVINCE_REQUIRED)
    assert "province" in missing.message


def test_a_route_for_one_warehouse_kind_serves_only_that_kind(net):
    assert quote(net["bonded"], province="ZJ").available
    result = quote(net["domestic"], province="ZJ")
    assert result.reason == Unavailable.NO_ROUTE and result.options == ()


def test_nothing_serves_an_address_outside_every_zone(net):
    result = quote(net["tokyo"], "BR")
    assert result.reason == Unavailable.NO_ROUTE
    assert result.message == "We cannot ship from this warehouse to this address yet."


def test_an_inactive_or_unknown_warehouse_does_not_ship(net):
    net["tokyo"].is_active = False
    net["tokyo"].save()
    assert quote(net["tokyo"]).reason == Unavailable.ORIGIN_UNKNOWN


def test_too_heavy_for_one_method_leaves_the_others(net, django_capture_on_commit_callbacks):
    heavy = [ParcelLine(31, D("1.0"))]
    result = quote(net["tokyo"], lines=heavy)
    assert [o.method_code for o in result.options] == ["t-postal"]
    assert result.refused == (("t-express", Unavailable.TOO_HEAVY),)

    with django_capture_on_commit_callbacks(execute=True):
        network_save(obj=_with(net["postal"], max_weight_kg=D("20")))
    nothing = quote(net["tokyo"], lines=heavy)
    assert nothing.reason == Unavailable.TOO_HEAVY


def test_a_method_without_a_rate_for_its_currency_is_left_out(net):
    rates = {k: v for k, v in RATES.items() if k != "USD"}
    result = shipping_options(
        warehouse_id=net["tokyo"].pk,
        country="CN",
        lines=ONE_KG,
        goods_subtotal=cny("10"),
        free_shipping_threshold=None,
        currency="CNY",
        fx_rates=rates,
        ship_on=FRIDAY,
    )
    assert [o.method_code for o in result.options] == ["t-postal"]
    assert result.refused == (("t-express", Unavailable.NO_EXCHANGE_RATE),)


def test_a_switched_off_method_or_carrier_is_not_offered(net, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        network_save(obj=_with(net["express"], is_active=False))
    assert [o.method_code for o in quote(net["tokyo"]).options] == ["t-postal"]
    with django_capture_on_commit_callbacks(execute=True):
        network_save(obj=_with(net["express"], is_active=True))
        network_save(obj=_with(net["postal"].carrier, is_active=False))
    assert [o.method_code for o in quote(net["tokyo"]).options] == ["t-express"]


def test_an_operators_rate_change_reaches_the_next_quote(net, django_capture_on_commit_callbacks):
    assert quote(net["tokyo"]).options[0].price.amount == D("115.00")
    postal_route = net["postal"].routes.get()
    postal_route.first_weight_price = D("80.00")
    with django_capture_on_commit_callbacks(execute=True):
        network_save(obj=postal_route)
    assert quote(net["tokyo"]).options[0].price.amount == D("105.00")


def test_names_come_in_the_shoppers_language(net):
    with translation.override("zh-hans"):
        option = quote(net["tokyo"]).options[0]
        assert (option.method_name, option.carrier_name) == ("t-postal服务", "t-post")
        assert "省" in quote(net["bonded"]).message
    assert quote(net["tokyo"]).options[0].method_name == "t-postal service"


def test_one_query_for_any_number_of_lines(net, django_assert_num_queries):
    quote(net["tokyo"])  # builds this process's network book
    many = [ParcelLine(1 + i % 3, D("0.2"), D("10"), D("10"), D("5")) for i in range(60)]
    with django_assert_num_queries(1):  # the origin warehouse
        quote(net["tokyo"], lines=ONE_KG)
    with django_assert_num_queries(1):
        assert quote(net["tokyo"], lines=many).available


def test_a_cold_process_reads_the_network_in_one_more_query(net, django_assert_num_queries):
    from logistics.shipping import selectors

    selectors.network_version.bump()  # as another process's edit would
    with django_assert_num_queries(2):  # the network, the warehouse
        assert quote(net["tokyo"]).available


def test_an_empty_parcel_is_a_programming_error(net):
    with pytest.raises(ValueError):
        quote(net["tokyo"], lines=[])


def _with(obj, **changes):
    for name, value in changes.items():
        setattr(obj, name, value)
    return obj
