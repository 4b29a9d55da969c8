"""A small storefront catalogue for the storefront, search and public API tests.

Food › Honey and Mother & Baby › Milk powder; a self-operated store and a third-party
merchant; products in CNY and USD with SKUs, wholesale tiers and stock; plus the rows a
shopper must never see (a draft, a product of a suspended merchant).
"""

from dataclasses import dataclass
from decimal import Decimal

from catalog.models import Product, WholesaleTier
from merchants.models import Merchant
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    MerchantFactory,
    ProductFactory,
    SKUFactory,
    StockFactory,
    WarehouseFactory,
)


@dataclass
class Shop:
    food: object
    honey_cat: object
    baby: object
    milk_cat: object
    store: object
    kiwi: object
    suspended: object
    comvita: object
    a2: object
    manuka: object
    clover: object
    formula: object
    earbuds: object
    draft: object
    hidden: object
    bonded_wh: object
    overseas_wh: object


def product(*, merchant, category, brand, en, zh, price, currency="CNY", skus=None, **extra):
    item = ProductFactory(
        merchant=merchant,
        category=category,
        brand=brand,
        name_en=en,
        name_zh_hans=zh,
        listing_currency=currency,
        **extra,
    )
    for sku_extra in skus or [{}]:
        SKUFactory(product=item, price=sku_extra.pop("price", price), **sku_extra)
    return item


def build_shop() -> Shop:
    food = CategoryFactory(slug="food", name_en="Food & Wine", name_zh_hans="食品酒水")
    honey_cat = CategoryFactory(slug="honey", name_en="Honey", name_zh_hans="蜂蜜", parent=food)
    baby = CategoryFactory(slug="mother-baby", name_en="Mother & Baby", name_zh_hans="母婴")
    milk_cat = CategoryFactory(
        slug="milk-powder", name_en="Milk powder", name_zh_hans="奶粉", parent=baby
    )
    electronics = CategoryFactory(slug="electronics", name_en="Electronics", name_zh_hans="数码")
    store = MerchantFactory(
        slug="silkway-store",
        name_en="Silkway Store",
        name_zh_hans="丝路自营",
        kind=Merchant.Kind.SELF_OPERATED,
        country="CN",
    )
    kiwi = MerchantFactory(slug="kiwi", name_en="Kiwi Nature", name_zh_hans="奇异自然")
    suspended = MerchantFactory(
        slug="gone", name_en="Gone Ltd", name_zh_hans="停业", status=Merchant.Status.SUSPENDED
    )
    comvita = BrandFactory(slug="comvita", name_en="Comvita", name_zh_hans="康维他")
    a2 = BrandFactory(slug="a2", name_en="a2 Milk", name_zh_hans="爱他美")
    bonded_wh = WarehouseFactory(
        code="ningbo", name_en="Ningbo bonded", name_zh_hans="宁波保税仓", customs_area_code="3105"
    )
    overseas_wh = WarehouseFactory(
        code="auckland",
        name_en="Auckland",
        name_zh_hans="奥克兰仓",
        kind="overseas",
        country="NZ",
    )
    manuka = product(
        merchant=kiwi,
        category=honey_cat,
        brand=comvita,
        en="Manuka Honey UMF 10+",
        zh="麦卢卡蜂蜜 UMF 10+",
        price=Decimal("30.00"),
        currency="USD",
        min_order_quantity=1,
        skus=[
            {"price": Decimal("30.00"), "attributes": {"size": "250g"}},
            {"price": Decimal("52.00"), "attributes": {"size": "500g"}, "min_order_quantity": 2},
        ],
    )
    WholesaleTier.objects.create(
        merchant=kiwi, sku=manuka.skus.get(price=52), min_quantity=10, unit_price=Decimal("45.00")
    )
    clover = product(
        merchant=store,
        category=honey_cat,
        brand=None,
        en="Clover Honey",
        zh="三叶草蜂蜜",
        price=Decimal("88.00"),
        skus=[
            {
                "price": Decimal("88.00"),
                "allow_bonded": True,
                "product_record_status": "recorded",
                "product_record_number": "R-1",
            }
        ],
    )
    formula = product(
        merchant=store,
        category=milk_cat,
        brand=a2,
        en="Infant Formula Milk Powder Stage 1",
        zh="婴儿配方奶粉 1段",
        price=Decimal("238.00"),
    )
    earbuds = product(
        merchant=kiwi,
        category=electronics,
        brand=None,
        en="Wireless Bluetooth Earbuds",
        zh="无线蓝牙耳机",
        price=Decimal("199.00"),
    )
    draft = product(
        merchant=kiwi,
        category=honey_cat,
        brand=comvita,
        en="Draft Honey",
        zh="草稿蜂蜜",
        price=Decimal("1.00"),
        status=Product.Status.DRAFT,
    )
    hidden = product(
        merchant=suspended,
        category=honey_cat,
        brand=comvita,
        en="Suspended Honey",
        zh="停业蜂蜜",
        price=Decimal("1.00"),
    )
    StockFactory(sku=clover.skus.get(), warehouse=bonded_wh, on_hand=50, reserved=5)
    StockFactory(sku=manuka.skus.get(price=30), warehouse=overseas_wh, on_hand=3, reserved=0)
    return Shop(
        food, honey_cat, baby, milk_cat, store, kiwi, suspended, comvita, a2, manuka, clover,
        formula, earbuds, draft, hidden, bonded_wh, overseas_wh,
    )  # fmt: skip
