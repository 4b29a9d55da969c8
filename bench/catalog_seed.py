"""Seed the benchmark database with 100,000 bilingual products (bench/bench_catalog_http.py).

Idempotent: a database that already holds the full set is left as it is, so only the first
run pays (about a minute, bulk inserts in batches). Run with DATABASE_URL pointing at the
benchmark database and Django set up.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

PRODUCTS = 100_000
BATCH = 5_000
SEED = 20261122

TOP = [
    ("food", "Food & Wine", "食品酒水"),
    ("mother-baby", "Mother & Baby", "母婴用品"),
    ("beauty", "Beauty & Care", "美妆个护"),
    ("health", "Health & Supplements", "营养保健"),
    ("electronics", "Electronics", "数码家电"),
    ("fashion", "Fashion & Bags", "服饰箱包"),
    ("home", "Home & Kitchen", "家居厨房"),
    ("sports", "Sports & Outdoors", "运动户外"),
]
# per top-level category: (english noun, chinese noun) for its five leaves
LEAVES = {
    "food": [("Honey", "蜂蜜"), ("Olive Oil", "橄榄油"), ("Red Wine", "红酒"),
             ("Coffee Beans", "咖啡豆"), ("Dark Chocolate", "黑巧克力")],
    "mother-baby": [("Milk Powder", "奶粉"), ("Baby Diapers", "纸尿裤"), ("Baby Wipes", "湿巾"),
                    ("Baby Bottle", "奶瓶"), ("Baby Stroller", "婴儿推车")],
    "beauty": [("Face Serum", "精华液"), ("Sunscreen", "防晒霜"), ("Lipstick", "口红"),
               ("Face Mask", "面膜"), ("Shampoo", "洗发水")],
    "health": [("Fish Oil", "鱼油"), ("Vitamin C", "维生素C"), ("Probiotics", "益生菌"),
               ("Collagen", "胶原蛋白"), ("Protein Powder", "蛋白粉")],
    "electronics": [("Bluetooth Earbuds", "蓝牙耳机"), ("Power Bank", "充电宝"),
                    ("Electric Toothbrush", "电动牙刷"), ("Hair Dryer", "吹风机"),
                    ("Smart Watch", "智能手表")],
    "fashion": [("Leather Handbag", "真皮手提包"), ("Wool Scarf", "羊毛围巾"),
                ("Running Shoes", "跑步鞋"), ("Sunglasses", "太阳镜"), ("Backpack", "双肩包")],
    "home": [("Chef Knife", "厨师刀"), ("Cast Iron Pan", "铸铁锅"), ("Bath Towel", "浴巾"),
             ("Scented Candle", "香薰蜡烛"), ("Tea Set", "茶具")],
    "sports": [("Yoga Mat", "瑜伽垫"), ("Tennis Racket", "网球拍"), ("Camping Tent", "帐篷"),
               ("Water Bottle", "运动水杯"), ("Cycling Gloves", "骑行手套")],
}  # fmt: skip
ADJECTIVES = [
    ("Organic", "有机"), ("Premium", "高端"), ("Wild", "野生"), ("Classic", "经典"),
    ("Natural", "天然"), ("Pure", "纯净"), ("Deluxe", "豪华"), ("Fresh", "新鲜"),
    ("Imported", "进口"), ("Wireless", "无线"), ("Lightweight", "轻便"), ("Family", "家庭装"),
]  # fmt: skip
ORIGINS = [("New Zealand", "新西兰", "NZ"), ("Japanese", "日本", "JP"), ("Australian", "澳洲", "AU"),
           ("French", "法国", "FR"), ("German", "德国", "DE"), ("Korean", "韩国", "KR")]  # fmt: skip
BRANDS = 200
MERCHANTS = 50


def is_seeded() -> bool:
    from catalog.models import Product

    return Product.objects.filter(slug__startswith="bench-").count() >= PRODUCTS


def seed() -> None:
    """Create categories, brands, merchants, warehouses, 100k products, 200k SKUs, stock."""
    from catalog.models import SKU, Brand, Category, Product, Stock
    from logistics.models import Warehouse
    from merchants.models import Merchant

    rng = random.Random(SEED)
    with transaction.atomic():
        Stock.objects.filter(sku__product__slug__startswith="bench-").delete()
        SKU.objects.filter(product__slug__startswith="bench-").delete()
        Product.objects.filter(slug__startswith="bench-").delete()

        leaves = []
        for position, (slug, en, zh) in enumerate(TOP):
            top, _ = Category.objects.get_or_create(
                slug=slug, defaults={"name_en": en, "name_zh_hans": zh, "position": position}
            )
            for i, (leaf_en, leaf_zh) in enumerate(LEAVES[slug]):
                leaf, _ = Category.objects.get_or_create(
                    slug=f"{slug}-{i}",
                    defaults={"name_en": leaf_en, "name_zh_hans": leaf_zh, "parent": top},
                )
                leaves.append((leaf, leaf_en, leaf_zh))
        brands = []
        for i in range(BRANDS):
            brand, _ = Brand.objects.get_or_create(
                slug=f"bench-brand-{i}",
                defaults={"name_en": f"Brandico {i}", "name_zh_hans": f"品牌{i}号"},
            )
            brands.append(brand)
        merchants = []
        for i in range(MERCHANTS):
            merchant, _ = Merchant.objects.get_or_create(
                slug=f"bench-merchant-{i}",
                defaults={
                    "name_en": f"Bench Trading {i}",
                    "name_zh_hans": f"测试商贸{i}",
                    "kind": Merchant.Kind.SELF_OPERATED if i == 0 else Merchant.Kind.THIRD_PARTY,
                    "status": Merchant.Status.APPROVED,
                    "country": "NZ",
                },
            )
            merchants.append(merchant)
        bonded, _ = Warehouse.objects.get_or_create(
            code="bench-bonded",
            defaults={
                "name_en": "Bench bonded",
                "name_zh_hans": "测试保税仓",
                "kind": Warehouse.Kind.BONDED,
                "country": "CN",
                "customs_area_code": "3105",
            },
        )
        overseas, _ = Warehouse.objects.get_or_create(
            code="bench-overseas",
            defaults={
                "name_en": "Bench overseas",
                "name_zh_hans": "测试海外仓",
                "kind": Warehouse.Kind.OVERSEAS,
                "country": "NZ",
            },
        )

    now = timezone.now()
    currencies = ["CNY"] * 6 + ["USD", "NZD", "JPY", "EUR"]
    for start in range(0, PRODUCTS, BATCH):
        with transaction.atomic():
            products = []
            for n in range(start, min(start + BATCH, PRODUCTS)):
                leaf, leaf_en, leaf_zh = leaves[n % len(leaves)]
                adj_en, adj_zh = ADJECTIVES[rng.randrange(len(ADJECTIVES))]
                origin_en, origin_zh, _ = ORIGINS[rng.randrange(len(ORIGINS))]
                name_en = f"{adj_en} {origin_en} {leaf_en} No.{n}"
                name_zh = f"{origin_zh}{adj_zh}{leaf_zh} {n}号"
                description = f"<p>{name_en}.</p>"
                products.append(
                    Product(
                        merchant=merchants[n % MERCHANTS],
                        category=leaf,
                        brand=brands[rng.randrange(BRANDS)] if n % 5 else None,
                        name=name_en,
                        name_en=name_en,
                        name_zh_hans=name_zh,
                        description=description,
                        description_en=description,
                        description_zh_hans=f"<p>{name_zh}。</p>",
                        slug=f"bench-{n}",
                        status=Product.Status.DRAFT if n % 20 == 7 else Product.Status.APPROVED,
                        listing_currency=currencies[n % len(currencies)],
                        published_at=now - timezone.timedelta(minutes=PRODUCTS - n),
                    )
                )
            Product.objects.bulk_create(products, batch_size=BATCH)
            skus, stock_rows = [], []
            for product in products:
                base = Decimal(rng.randrange(1000, 99900)) / 100
                bonded_ok = product.id % 3 == 0
                for v in range(2):
                    skus.append(
                        SKU(
                            merchant_id=product.merchant_id,
                            product=product,
                            code=f"B{product.id}-{v}",
                            attributes_en={"size": ["S", "L"][v]},
                            attributes_zh_hans={"尺码": ["S", "L"][v]},
                            price=base * (1 + v),
                            hs_code="0409000000",
                            origin_country="NZ",
                            net_weight_kg=Decimal("0.5"),
                            gross_weight_kg=Decimal("0.6"),
                            allow_bonded=bonded_ok,
                            product_record_status="recorded" if bonded_ok else "none",
                            product_record_number=f"R{product.id}" if bonded_ok else "",
                        )
                    )
            SKU.objects.bulk_create(skus, batch_size=BATCH)
            for sku in skus[::2]:
                stock_rows.append(
                    Stock(
                        merchant_id=sku.merchant_id,
                        sku=sku,
                        warehouse=bonded if sku.allow_bonded else overseas,
                        on_hand=rng.randrange(0, 60),
                        reserved=0,
                    )
                )
            Stock.objects.bulk_create(stock_rows, batch_size=BATCH)
        print(f"  seeded {min(start + BATCH, PRODUCTS):,} products", flush=True)


def sample_paths(rng: random.Random) -> dict[str, list[str]]:
    """The URLs each scenario rotates through (``/en/…``)."""
    from catalog.models import Category, Product
    from catalog.selectors.storefront import products_visible

    categories = list(
        Category.objects.filter(slug__in=[t[0] for t in TOP]).values_list("slug", flat=True)
    ) + [f"{slug}-{i}" for slug, _, _ in TOP for i in range(5)]
    listing = [f"/en/c/{slug}/" for slug in categories]
    listing += [f"/en/c/{slug}/?page={p}" for slug in categories[:8] for p in (2, 3)]
    ids = list(
        products_visible()
        .filter(slug__startswith="bench-")
        .values_list("id", "slug")
        .order_by("id")
    )
    picked = rng.sample(ids, min(2000, len(ids)))
    product = [f"/en/p/{pk}/{slug}/" for pk, slug in picked]
    assert Product.objects.filter(slug__startswith="bench-").exists()
    words = []
    for leaves in LEAVES.values():
        for en, zh in leaves:
            words += [en.lower(), zh]
    words += [adj.lower() for adj, _ in ADJECTIVES[:6]] + [zh for _, zh in ADJECTIVES[:6]]
    words += ["new zealand honey", "新西兰 蜂蜜", "organic coffee", "日本 面膜", "brandico 7",
              "品牌12号", "wireless earbuds", "无线 耳机", "food", "母婴"]  # fmt: skip
    from urllib.parse import quote

    search = [f"/en/search/?q={quote(w)}" for w in words]
    return {"listing": listing, "product": product, "search": search}
