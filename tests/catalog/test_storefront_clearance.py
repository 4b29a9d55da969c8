"""The storefront promises only the clearance modes a product's stock can ship under
(``catalog.clearance``): a lip balm allowed bonded and direct import whose stock is only in
Tokyo is a 9610 direct purchase, not bonded goods, on the listing, the product page and the
public API alike."""

from decimal import Decimal
from itertools import product as combinations

import pytest

from catalog.clearance import ships_under, sku_clearance
from catalog.models import SKU, TRADE_MODE_FLAGS
from catalog.services.stock import stock_receive
from logistics.services import warehouse_update
from marketplace.clearance import SKU_MODES, ClearanceMode, Refusal, clearance_for
from merchants.models import Merchant
from tests.catalog.storefront_catalog import product
from tests.factories import (
    CategoryFactory,
    MerchantFactory,
    ProductFactory,
    SKUFactory,
    StockFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db

BONDED_PROMISE = "Bonded goods are already in a Chinese bonded warehouse"


@pytest.fixture
def beauty(db):
    lips = CategoryFactory(slug="lips", name_en="Lip care", name_zh_hans="唇部护理")
    tokyo_beauty = MerchantFactory(
        slug="tokyo-beauty", name_en="Tokyo Beauty", name_zh_hans="东京美妆", country="JP"
    )
    tokyo = WarehouseFactory(
        code="tokyo",
        name_en="Tokyo Overseas Warehouse",
        name_zh_hans="东京海外仓",
        kind="overseas",
        country="JP",
    )
    ningbo = WarehouseFactory(code="ningbo", name_en="Ningbo bonded", name_zh_hans="宁波保税仓")
    lip_balm = product(
        merchant=tokyo_beauty,
        category=lips,
        brand=None,
        en="Medicated Lip Balm",
        zh="药用润唇膏",
        price=Decimal("39.00"),
        skus=[
            {
                "allow_bonded": True,
                "allow_direct": True,
                "product_record_status": "recorded",
                "product_record_number": "R-LIP-1",
            }
        ],
    )
    StockFactory(sku=lip_balm.skus.get(), warehouse=tokyo, on_hand=40)
    return lip_balm, tokyo, ningbo


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def card(html, item):
    return html.split(f'data-product="{item.pk}"', 1)[1].split("</li>", 1)[0]


def product_block(html):
    return html.split('<article class="product"', 1)[1].split("</article>", 1)[0]


def page_url(item, lang):
    return f"/{lang}/p/{item.pk}/{item.slug}/"


def test_stock_only_in_tokyo_is_not_shown_as_bonded(client, beauty):
    lip_balm, _tokyo, _ningbo = beauty

    listing = card(html_of(client, "/zh-hans/c/lips/"), lip_balm)
    zh = product_block(html_of(client, page_url(lip_balm, "zh-hans")))
    en = product_block(html_of(client, page_url(lip_balm, "en")))

    assert "药用润唇膏" in listing and "保税" not in listing
    assert "发货地: 海外仓 · 日本" in zh
    assert "保税" not in zh and "直购进口（9610）" in zh
    assert "Ships from: Overseas warehouse · Japan" in en
    assert "Bonded import (1210)" not in en and "Direct purchase import (9610)" in en
    assert BONDED_PROMISE not in en


def test_the_api_tells_the_same_modes(client, beauty):
    lip_balm, _tokyo, _ningbo = beauty

    listed = client.get("/api/v1/products/", {"category": "lips"}).json()["results"]
    detail = client.get(f"/api/v1/products/{lip_balm.pk}/").json()

    assert [p["trade_modes"] for p in listed] == [["direct"]]
    assert detail["trade_modes"] == ["direct"]
    assert [sku["trade_modes"] for sku in detail["skus"]] == [["direct"]]


def test_stock_received_into_a_bonded_warehouse_makes_it_bonded_at_once(client, beauty):
    lip_balm, _tokyo, ningbo = beauty
    url = page_url(lip_balm, "en")
    assert "Bonded" not in card(html_of(client, "/en/c/lips/"), lip_balm)  # cached now
    assert BONDED_PROMISE not in html_of(client, url)

    stock_receive(merchant=lip_balm.merchant, sku=lip_balm.skus.get(), warehouse=ningbo, quantity=5)

    assert "Bonded" in card(html_of(client, "/en/c/lips/"), lip_balm)
    html = product_block(html_of(client, url))
    assert "Bonded import (1210)" in html and "Direct purchase import (9610)" in html
    assert BONDED_PROMISE in html
    assert "保税" in card(html_of(client, "/zh-hans/c/lips/"), lip_balm)

    # the bonded warehouse closes: the promise goes with it
    warehouse_update(warehouse=ningbo, by_operator=True, is_active=False)

    assert BONDED_PROMISE not in html_of(client, url)
    assert "Bonded" not in card(html_of(client, "/en/c/lips/"), lip_balm)


def test_a_purchasing_agent_ships_personal_parcels(client, beauty):
    lip_balm, _tokyo, _ningbo = beauty
    sku = lip_balm.skus.get()
    Merchant.objects.filter(pk=lip_balm.merchant_id).update(kind=Merchant.Kind.PURCHASING_AGENT)
    sku.allow_personal_parcel = True
    sku.save()  # bumps the storefront version

    en = product_block(html_of(client, page_url(lip_balm, "en")))

    assert "Personal parcel" in en and "Direct purchase import (9610)" not in en


def test_checkout_asks_the_sku_with_its_warehouse_and_destination(beauty):
    lip_balm, tokyo, ningbo = beauty
    sku = lip_balm.skus.get()

    assert sku_clearance(sku=sku, warehouse=tokyo, destination="CN").mode is ClearanceMode.DIRECT
    assert sku_clearance(sku=sku, warehouse=ningbo, destination="CN").mode is ClearanceMode.BONDED
    refused = sku_clearance(sku=sku, warehouse=tokyo, destination="US")
    assert not refused and refused.refusal is Refusal.NOT_THROUGH_CHINA


def test_the_clearance_filter_finds_what_the_badges_show(client, beauty):
    lip_balm, _tokyo, ningbo = beauty

    def names(query):
        return {p["name_en"] for p in client.get("/api/v1/products/", query).json()["results"]}

    assert names({"trade_mode": "bonded"}) == set()
    assert names({"trade_mode": "direct"}) == {"Medicated Lip Balm"}
    assert "Medicated Lip Balm" in html_of(client, "/en/c/lips/?trade_mode=direct")
    assert "Medicated Lip Balm" not in html_of(client, "/en/c/lips/?trade_mode=bonded")

    stock_receive(merchant=lip_balm.merchant, sku=lip_balm.skus.get(), warehouse=ningbo, quantity=1)

    assert names({"trade_mode": "bonded"}) == {"Medicated Lip Balm"}


def test_the_filter_in_sql_agrees_with_the_rule_everywhere(db):
    """Every kind of merchant, every set of allowed modes, stock in a bonded zone, in China
    or abroad: ``ships_under`` selects exactly the SKUs ``clearance_for`` sends that way."""
    places = {
        "bonded": WarehouseFactory(kind="bonded", country="CN"),
        "china": WarehouseFactory(kind="domestic", country="CN"),
        "abroad": WarehouseFactory(kind="overseas", country="JP"),
    }
    expected: dict[str, set[int]] = {mode: set() for mode in ClearanceMode}
    for kind in Merchant.Kind.values:
        merchant = MerchantFactory(kind=kind)
        for warehouse in places.values():
            for allowed in combinations([False, True], repeat=len(SKU_MODES)):
                if not any(allowed):
                    continue
                flags = dict(zip(TRADE_MODE_FLAGS.values(), allowed, strict=True))
                record = {"product_record_status": "recorded"} if flags["allow_bonded"] else {}
                sku = SKUFactory(product=ProductFactory(merchant=merchant), **flags, **record)
                StockFactory(sku=sku, warehouse=warehouse)
                got = clearance_for(
                    warehouse_kind=warehouse.kind,
                    warehouse_country=warehouse.country,
                    destination="CN",
                    sku_modes=sku.trade_modes,
                    merchant_kind=kind,
                )
                if got:
                    expected[got.mode].add(sku.pk)

    for mode in ClearanceMode:
        found = set(SKU.objects.filter(ships_under(mode)).values_list("pk", flat=True))
        assert found == expected[mode], mode
    assert all(expected[mode] for mode in SKU_MODES)
