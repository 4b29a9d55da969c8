"""Demo warehouses and stock: every kind of warehouse, stock for every approved SKU written
through the services, some low and some sold out, and seeding twice changes nothing."""

import pytest
from django.db.models import Sum

from catalog.demo_stock import seed_stock_demo
from catalog.models import Stock, StockAdjustment
from catalog.selectors.stock import low_stock_skus
from logistics.demo import seed_logistics_demo
from logistics.models import Warehouse
from tests.factories import MerchantFactory, ProductFactory, SKUFactory

pytestmark = pytest.mark.django_db


def seed_warehouses_and_stock():
    """Logistics' demo step, then catalog's stock step, as ``seed_demo`` runs them."""
    seed_logistics_demo()
    seed_stock_demo()


@pytest.fixture
def catalog():
    kiwi = MerchantFactory(slug="kiwi-nature")
    tokyo = MerchantFactory(slug="tokyo-beauty", country="JP")
    skus = []
    for i in range(8):
        skus.append(
            SKUFactory(
                product=ProductFactory(merchant=kiwi),
                product_record_status="recorded" if i % 2 else "none",
                product_record_number=f"R-{i}" if i % 2 else "",
            )
        )
    for _ in range(6):
        skus.append(SKUFactory(product=ProductFactory(merchant=tokyo), origin_country="JP"))
    draft = SKUFactory(product=ProductFactory(merchant=kiwi, status="draft"))
    return skus, draft


def test_demo_warehouses_cover_every_kind():
    MerchantFactory(slug="kiwi-nature")
    seed_logistics_demo()
    kinds = set(Warehouse.objects.platform().values_list("kind", flat=True))
    assert kinds == {"bonded", "overseas", "domestic"}
    for bonded in Warehouse.objects.filter(kind="bonded"):
        assert bonded.country == "CN" and len(bonded.customs_area_code) == 4
    assert Warehouse.objects.get(code="kiwi-christchurch").merchant.slug == "kiwi-nature"
    assert Warehouse.objects.get(code="tokyo").name_zh_hans == "东京海外仓"


def test_every_approved_sku_is_stocked_in_a_bonded_or_overseas_warehouse(catalog):
    skus, draft = catalog
    seed_warehouses_and_stock()
    for sku in skus:
        places = Stock.objects.filter(sku=sku).select_related("warehouse")
        kinds = {s.warehouse.kind for s in places}
        assert kinds & {"bonded", "overseas"}, sku.code
        if sku.product_record_status == "recorded":
            assert "bonded" in kinds
        else:
            assert "bonded" not in kinds
        if sku.origin_country == "JP":
            assert {s.warehouse.code for s in places} == {"tokyo"}
    assert not Stock.objects.filter(sku=draft).exists()


def test_demo_stock_has_low_and_sold_out_skus_and_a_ledger_that_adds_up(catalog):
    seed_warehouses_and_stock()
    low = {sku.code: sku.total_available for sku in low_stock_skus(merchant=catalog[0][0].merchant)}
    low.update(
        {sku.code: sku.total_available for sku in low_stock_skus(merchant=catalog[0][-1].merchant)}
    )
    assert 0 in low.values(), "some demo SKUs are sold out"
    assert any(v > 0 for v in low.values()), "some demo SKUs are running low"
    for stock in Stock.objects.all():
        ledger = StockAdjustment.objects.filter(stock=stock)
        assert ledger.filter(reason="receipt").exists()
        assert ledger.aggregate(t=Sum("on_hand_delta"))["t"] == stock.on_hand


def test_seeding_twice_changes_nothing(catalog):
    seed_warehouses_and_stock()
    before = (Warehouse.objects.count(), Stock.objects.count(), StockAdjustment.objects.count())
    seed_warehouses_and_stock()
    after = (Warehouse.objects.count(), Stock.objects.count(), StockAdjustment.objects.count())
    assert before == after


def test_the_full_demo_stocks_every_approved_product():
    from catalog.models import SKU, Product
    from marketplace.demo import seed_demo

    seed_demo()
    approved = SKU.objects.filter(product__status=Product.Status.APPROVED, is_active=True)
    assert approved.exists()
    unstocked = approved.exclude(stock__warehouse__kind__in=["bonded", "overseas"])
    assert list(unstocked.values_list("code", flat=True)) == []
    assert Stock.objects.filter(warehouse__kind="bonded").exists()
    assert Stock.objects.filter(warehouse__kind="overseas").exists()
    sold_out = [s for s in Stock.objects.all() if s.on_hand == 0]
    assert sold_out, "a few demo SKUs are out of stock"
    counts = (Stock.objects.count(), StockAdjustment.objects.count())
    seed_demo()
    assert (Stock.objects.count(), StockAdjustment.objects.count()) == counts


def test_the_demo_stock_pages_in_chinese_have_no_english(client_for):
    from accounts.models import User
    from marketplace.demo import seed_demo
    from tests.catalog.test_stock_pages import _visible_ui_words

    seed_demo()
    client = client_for(User.objects.get(email="store@silkway.local"))
    for path in (
        "/zh-hans/seller/stock/",
        "/zh-hans/seller/stock/low/",
        "/zh-hans/seller/stock/warehouses/",
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert _visible_ui_words(response.content.decode()) == set(), path
    row = Stock.objects.filter(merchant__slug="silkway-global").first()
    detail = client.get(f"/zh-hans/seller/stock/{row.pk}/").content.decode()
    assert _visible_ui_words(detail) == set()
