"""The default network the migration seeds: every demo warehouse and SKU can reach
Chinese shoppers, export destinations have methods, and the promised windows are
tracking.md's."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.apps import apps

from logistics.shipping.models import Carrier, ShippingMethod, ShippingRoute, ShippingZone
from logistics.shipping.rates import ParcelLine
from logistics.shipping.seed import seed_shipping_network
from logistics.shipping.selectors import shipping_options
from logistics.shipping.services import network_conflicts
from marketplace.money import Money
from tests.factories import WarehouseFactory
from tests.logistics.shipping_helpers import RATES

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)


def options(warehouse, country, province="", lines=None):
    return shipping_options(
        warehouse_id=warehouse.pk,
        country=country,
        province=province,
        lines=lines or [ParcelLine(1, D("0.8"), D("20"), D("15"), D("10"))],
        goods_subtotal=Money(D("300"), "CNY"),
        free_shipping_threshold=None,
        currency="CNY",
        fx_rates=RATES,
        ship_on=MONDAY,
    )


def windows(result) -> dict[str, tuple[int, int]]:
    return {o.method_code: (o.min_days, o.max_days) for o in result.options}


def test_the_migration_seeded_the_network_and_seeding_again_adds_nothing():
    assert Carrier.objects.count() == 5 and ShippingMethod.objects.count() == 6
    assert ShippingRoute.objects.count() == 31 and ShippingZone.objects.count() == 7
    assert set(ShippingMethod.objects.values_list("kind", flat=True)) == {
        "express",
        "dedicated_line",
        "postal",
        "domestic",
    }
    assert seed_shipping_network(apps.get_model) == {
        "zones": 0,
        "carriers": 0,
        "methods": 0,
        "routes": 0,
    }


def test_the_seeded_network_has_no_ambiguous_routes():
    assert network_conflicts(routes=ShippingRoute.objects.select_related("method")) == []


def test_every_demo_warehouse_and_sku_ships_to_china():
    from catalog.models import Stock
    from marketplace.demo import seed_demo

    seed_demo()
    rows = Stock.objects.select_related("sku", "warehouse")
    assert rows.exists()
    for row in rows:
        sku = row.sku
        line = ParcelLine(
            1, sku.gross_weight_kg or D("0.1"), sku.length_cm, sku.width_cm, sku.height_cm
        )
        result = options(row.warehouse, "CN", "GD", [line])
        assert result.available, (row.warehouse.code, sku.code, result.reason)


@pytest.mark.parametrize(
    ("kind", "country", "expected"),
    [
        # tracking.md: bonded -> shopper in China 1-5 working days
        ("bonded", "CN", {"sf-standard": (1, 5), "china-post-parcel": (2, 6)}),
        # direct mail into China about two weeks (post), faster by express
        ("overseas", "JP", {"ems-direct-mail": (7, 12), "dhl-express": (4, 6)}),
        ("overseas", "NZ", {"ems-direct-mail": (10, 15), "dhl-express": (5, 8)}),
        ("overseas", "KR", {"ems-direct-mail": (7, 12), "dhl-express": (4, 6)}),
        ("overseas", "AU", {"ems-direct-mail": (10, 15), "dhl-express": (5, 8)}),
        ("overseas", "DE", {"ems-direct-mail": (10, 15), "dhl-express": (5, 8)}),
        ("overseas", "US", {"ems-direct-mail": (10, 15), "dhl-express": (5, 8)}),
        ("domestic", "CN", {"sf-standard": (1, 3), "china-post-parcel": (2, 5)}),
    ],
)
def test_every_kind_of_origin_reaches_china(kind, country, expected):
    warehouse = WarehouseFactory(kind=kind, country=country)
    assert windows(options(warehouse, "CN", "SH")) == expected


@pytest.mark.parametrize("destination", ["US", "FR", "DE", "GB", "IT", "ES", "NL", "CA", "AU"])
def test_export_retail_destinations_have_express_line_and_post(destination):
    shanghai = WarehouseFactory(kind="domestic", country="CN")
    found = windows(options(shanghai, destination))
    assert {"dhl-express", "yanwen-line", "china-post-air"} <= set(found)
    if destination in ("US", "FR", "DE", "GB"):
        # tracking.md: China -> US / Europe express 3-5, dedicated line 7-15, postal 15-30
        assert found["dhl-express"] == (3, 5)
        assert found["yanwen-line"] == (7, 15)
        assert found["china-post-air"] == (15, 30)


def test_russia_and_south_america_take_a_month_by_line():
    shanghai = WarehouseFactory(kind="domestic", country="CN")
    assert windows(options(shanghai, "BR"))["yanwen-line"] == (25, 30)
    assert windows(options(shanghai, "RU"))["yanwen-line"] == (25, 30)


def test_remote_provinces_cost_more_and_take_longer_from_bonded_stock():
    bonded = WarehouseFactory(kind="bonded", country="CN")
    near, far = options(bonded, "CN", "ZJ"), options(bonded, "CN", "XJ")
    assert far.options[0].price.amount > near.options[0].price.amount
    assert windows(far)["sf-standard"] == (3, 7)


def test_bonded_goods_are_not_offered_abroad():
    bonded = WarehouseFactory(kind="bonded", country="CN")
    assert not options(bonded, "US").available


def test_the_demo_merchants_have_their_free_shipping_thresholds():
    from logistics.shipping.models import MerchantShipping
    from marketplace.demo import seed_demo

    seed_demo()
    seed_demo()  # idempotent
    terms = {
        t.merchant.slug: (t.free_shipping_threshold, t.currency_id)
        for t in MerchantShipping.objects.select_related("merchant")
    }
    assert terms == {"silkway-global": (D("199.00"), "CNY"), "kiwi-nature": (D("60.00"), "AUD")}
