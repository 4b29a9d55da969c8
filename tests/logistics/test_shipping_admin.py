"""Back office: operators edit carriers, methods (with their routes as one table), zones
and routes; every edit is checked and reaches the next quote; screens keep a fixed number
of queries however many rows they show."""

from datetime import date
from decimal import Decimal as D

import pytest

from logistics.shipping.models import (
    Carrier,
    MerchantShipping,
    ShippingMethod,
    ShippingRoute,
    ShippingZone,
)
from logistics.shipping.rates import ParcelLine
from logistics.shipping.selectors import shipping_options
from logistics.shipping.services import free_shipping_threshold_set
from tests.factories import MembershipFactory, WarehouseFactory
from tests.logistics.shipping_helpers import RATES, cny

pytestmark = pytest.mark.django_db
OPS = "/en/ops/logistics"


@pytest.fixture
def ops(client_for, operator):
    return client_for(operator)


def route_row(route: ShippingRoute, prefix: str, **changes) -> dict:
    values = {
        "id": route.pk if route.pk else "",
        "method": route.method_id,
        "origin_zone": route.origin_zone_id,
        "origin_kind": route.origin_kind,
        "destination_zone": route.destination_zone_id,
        "min_days": route.min_days,
        "max_days": route.max_days,
        "first_weight_kg": route.first_weight_kg,
        "first_weight_price": route.first_weight_price,
        "step_kg": route.step_kg,
        "step_price": route.step_price,
        "minimum_charge": route.minimum_charge,
    }
    if route.working_days:
        values["working_days"] = "on"
    if route.is_active:
        values["is_active"] = "on"
    values.update(changes)
    return {f"{prefix}{k}": v for k, v in values.items() if v is not False}


def method_form(method: ShippingMethod, routes, extra_rows=(), **changes) -> dict:
    data = {
        "carrier": method.carrier_id,
        "name_en": method.name_en,
        "name_zh_hans": method.name_zh_hans,
        "description_en": method.description_en or "",
        "description_zh_hans": method.description_zh_hans or "",
        "kind": method.kind,
        "currency": method.currency_id,
        "volumetric_divisor": method.volumetric_divisor or "",
        "max_weight_kg": method.max_weight_kg or "",
        "position": method.position,
    }
    if method.is_active:
        data["is_active"] = "on"
    if method.free_shipping_eligible:
        data["free_shipping_eligible"] = "on"
    data.update(changes)
    rows = [*routes, *extra_rows]
    data.update(
        {
            "routes-TOTAL_FORMS": str(len(rows)),
            "routes-INITIAL_FORMS": str(len(routes)),
            "routes-MIN_NUM_FORMS": "0",
            "routes-MAX_NUM_FORMS": "1000",
        }
    )
    for index, row in enumerate(rows):
        if isinstance(row, dict):
            data.update({f"routes-{index}-{k}": v for k, v in row.items()})
        else:
            data.update(route_row(row, f"routes-{index}-"))
    return {k: v for k, v in data.items() if v is not None}


def test_every_shipping_screen_opens_for_an_operator(ops, tenants):
    free_shipping_threshold_set(merchant=tenants.a.merchant, amount="99", currency="CNY")
    objects = {
        "carrier": Carrier.objects.first(),
        "shippingmethod": ShippingMethod.objects.first(),
        "shippingzone": ShippingZone.objects.first(),
        "shippingroute": ShippingRoute.objects.first(),
        "merchantshipping": MerchantShipping.objects.first(),
    }
    for name, obj in objects.items():
        assert ops.get(f"{OPS}/{name}/").status_code == 200, name
        assert ops.get(f"{OPS}/{name}/{obj.pk}/change/").status_code == 200, name
        expected = 403 if name == "merchantshipping" else 200
        assert ops.get(f"{OPS}/{name}/add/").status_code == expected, name
    assert "99.00" in ops.get(f"{OPS}/merchantshipping/").content.decode()


def test_merchant_staff_are_not_operators(client_for):
    member = MembershipFactory()
    response = client_for(member.user).get(f"{OPS}/shippingroute/")
    assert response.status_code == 302 and "/login/" in response.url


def test_an_operators_new_rate_reaches_the_next_quote(ops, django_capture_on_commit_callbacks):
    tokyo = WarehouseFactory(kind="overseas", country="JP")

    def ems_price():
        result = shipping_options(
            warehouse_id=tokyo.pk,
            country="CN",
            lines=[ParcelLine(1, D("1"))],
            goods_subtotal=cny("10"),
            free_shipping_threshold=None,
            currency="CNY",
            fx_rates=RATES,
            ship_on=date(2026, 12, 7),
        )
        return {o.method_code: o.price.amount for o in result.options}["ems-direct-mail"]

    assert ems_price() == D("88.00")  # 70 + 1 step × 18
    route = ShippingRoute.objects.get(method__code="ems-direct-mail", origin_zone__code="east-asia")
    with django_capture_on_commit_callbacks(execute=True):
        response = ops.post(
            f"{OPS}/shippingroute/{route.pk}/change/",
            route_row(route, "", first_weight_price="60.00", step_price="15.00"),
        )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert ems_price() == D("75.00")


def test_a_route_that_ties_with_another_is_refused_with_the_reason(ops):
    existing = ShippingRoute.objects.get(
        method__code="dhl-express", destination_zone__code="europe"
    )
    west = ShippingZone.objects.create(code="t-west", name_en="West", members="FR ES")
    tie = ShippingRoute(
        method=existing.method,
        origin_zone=existing.origin_zone,
        origin_kind="domestic",
        destination_zone=west,
        min_days=2,
        max_days=3,
        first_weight_kg=D("0.5"),
        first_weight_price=D("10.00"),
        step_kg=D("0.5"),
        step_price=D("1.00"),
    )
    response = ops.post(f"{OPS}/shippingroute/add/", route_row(tie, ""))
    assert response.status_code == 200
    assert "two routes for the same parcels" in response.content.decode()
    assert not ShippingRoute.objects.filter(destination_zone=west).exists()


def test_the_method_page_edits_its_routes_as_one_table(ops, django_capture_on_commit_callbacks):
    method = ShippingMethod.objects.get(code="yanwen-line")
    routes = list(method.routes.select_related("origin_zone", "destination_zone"))
    us = next(r for r in routes if r.destination_zone.code == "north-america")
    gulf = ShippingZone.objects.create(code="t-gulf", name_en="Gulf", members="AE SA QA")
    new_row = route_row(
        ShippingRoute(
            method=method,
            origin_zone=us.origin_zone,
            origin_kind="domestic",
            destination_zone=gulf,
            min_days=8,
            max_days=16,
            first_weight_kg=D("0.1"),
            first_weight_price=D("25.00"),
            step_kg=D("0.1"),
            step_price=D("9.50"),
            minimum_charge=D("30"),
        ),
        "",
    )
    data = method_form(method, routes, [new_row])
    index = routes.index(us)
    data[f"routes-{index}-step_price"] = "9.90"
    with django_capture_on_commit_callbacks(execute=True):
        response = ops.post(f"/en/ops/logistics/shippingmethod/{method.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert ShippingRoute.objects.get(pk=us.pk).step_price == D("9.90")
    assert ShippingRoute.objects.get(method=method, destination_zone=gulf).max_days == 16


def test_two_new_rows_that_tie_are_refused_together(ops):
    method = ShippingMethod.objects.get(code="yanwen-line")
    routes = list(method.routes.all())
    gulf = ShippingZone.objects.create(code="t-gulf", name_en="Gulf", members="AE SA")
    qatar = ShippingZone.objects.create(code="t-qa", name_en="Qatar and Saudi", members="QA SA")
    template = ShippingRoute(
        method=method,
        origin_zone=routes[0].origin_zone,
        origin_kind="domestic",
        min_days=8,
        max_days=16,
        first_weight_kg=D("0.1"),
        first_weight_price=D("25.00"),
        step_kg=D("0.1"),
        step_price=D("9.50"),
    )
    rows = []
    for destination in (gulf, qatar):
        template.destination_zone = destination
        rows.append(route_row(template, ""))
    response = ops.post(
        f"/en/ops/logistics/shippingmethod/{method.pk}/change/", method_form(method, routes, rows)
    )
    assert response.status_code == 200
    assert "SA" in response.content.decode() and "two routes for the same parcels" in (
        response.content.decode()
    )
    assert method.routes.count() == len(routes)


def test_switching_a_method_to_yen_needs_whole_yen_rates(ops):
    method = ShippingMethod.objects.get(code="yanwen-line")
    routes = list(method.routes.all())
    response = ops.post(
        f"/en/ops/logistics/shippingmethod/{method.pk}/change/",
        method_form(method, routes, currency="JPY"),
    )
    assert response.status_code == 200
    assert "JPY amount cannot have that many decimals" in response.content.decode()
    assert ShippingMethod.objects.get(pk=method.pk).currency_id == "CNY"


def test_a_zone_with_a_wrong_code_is_refused(ops):
    response = ops.post(
        f"{OPS}/shippingzone/add/",
        {"code": "t-uk", "name_en": "UK", "name_zh_hans": "英国", "members": "UK"},
    )
    assert response.status_code == 200
    assert "GB, not UK" in response.content.decode()
    assert not ShippingZone.objects.filter(code="t-uk").exists()


def test_zones_in_use_and_methods_cannot_be_deleted(ops):
    used = ShippingZone.objects.get(code="cn")
    assert ops.get(f"{OPS}/shippingzone/{used.pk}/delete/").status_code == 403
    unused = ShippingZone.objects.create(code="t-unused", name_en="Unused", members="IS")
    assert ops.post(f"{OPS}/shippingzone/{unused.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not ShippingZone.objects.filter(pk=unused.pk).exists()
    method = ShippingMethod.objects.first()
    assert ops.get(f"{OPS}/shippingmethod/{method.pk}/delete/").status_code == 403


def _more_routes(count: int) -> None:
    method = ShippingMethod.objects.get(code="yanwen-line")
    origin = ShippingZone.objects.get(code="cn")
    for index in range(count):
        zone = ShippingZone.objects.create(
            code=f"t-z{index}", name_en=f"Z{index}", members=["IS", "LI", "MC", "SM", "AD"][index]
        )
        ShippingRoute.objects.create(
            method=method,
            origin_zone=origin,
            origin_kind="domestic",
            destination_zone=zone,
            min_days=5,
            max_days=9,
            first_weight_kg=D("0.1"),
            first_weight_price=D("20.00"),
            step_kg=D("0.1"),
            step_price=D("8.00"),
        )


@pytest.mark.parametrize(
    "path",
    ["shippingroute/", "shippingmethod/", "shippingzone/", "carrier/", "method-page"],
)
def test_screens_keep_their_query_count_as_rows_grow(
    ops, path, django_assert_max_num_queries, frozen_local_caches
):
    method = ShippingMethod.objects.get(code="yanwen-line")
    url = f"{OPS}/shippingmethod/{method.pk}/change/" if path == "method-page" else f"{OPS}/{path}"
    ops.get(url)  # session and permission caches warm
    with django_assert_max_num_queries(14) as before:
        assert ops.get(url).status_code == 200
    _more_routes(5)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert ops.get(url).status_code == 200


def try_form(warehouse, **changes) -> dict:
    data = {
        "warehouse": warehouse.pk,
        "country": "CN",
        "province": "CN-ZJ",
        "postal_code": "",
        "goods_subtotal": "150.00",
        "subtotal_currency": "CNY",
        "free_shipping_threshold": "",
        "threshold_currency": "CNY",
        "currency": "USD",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
        "lines-0-quantity": "2",
        "lines-0-unit_weight_kg": "0.6",
        "lines-0-length_cm": "20",
        "lines-0-width_cm": "15",
        "lines-0-height_cm": "10",
        "lines-1-quantity": "1",
        "lines-2-quantity": "1",
    }
    return data | changes


def test_try_shipping_prices_a_parcel_the_way_checkout_does(ops):
    bonded = WarehouseFactory(kind="bonded", country="CN", code="t-bonded")
    assert "Try shipping" in ops.get(f"{OPS}/shippingroute/").content.decode()
    page = ops.get(f"{OPS}/shippingroute/try/")
    assert page.status_code == 200
    html = ops.post(f"{OPS}/shippingroute/try/", try_form(bonded)).content.decode()
    # 1.2 kg: China Post 8 + 1 step × 3 = ¥11.00 = US$1.55 at 7.10; SF 14 + 1 × 4 = ¥18.00
    assert "China Post Parcel" in html and "SF Express Standard" in html
    assert "¥11.00" in html and "$1.55" in html and "¥18.00" in html
    assert html.index("China Post Parcel") < html.index("SF Express Standard")

    free = try_form(bonded, **{"free_shipping_threshold": "150.00"})
    assert "free shipping" in ops.post(f"{OPS}/shippingroute/try/", free).content.decode()

    no_province = try_form(bonded, province="")
    html = ops.post(f"{OPS}/shippingroute/try/", no_province).content.decode()
    assert "Choose the province of the address" in html

    abroad = try_form(bonded, country="UK")
    assert "GB, not UK" in ops.post(f"{OPS}/shippingroute/try/", abroad).content.decode()
