"""Search in Chinese and English: by name (either language), brand or category; ranked;
paginated; only visible products; fresh after edits."""

import pytest

from catalog.models import Product
from catalog.selectors import storefront as sf
from tests.catalog.storefront_catalog import build_shop
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return build_shop()


def names(client, q, lang="en", **params):
    response = client.get(f"/{lang}/search/", {"q": q, **params})
    assert response.status_code == 200
    html = response.content.decode()
    return html


def found(ids_page):
    return set(ids_page.ids)


def search(q, **filters):
    return sf.search_product_ids(q, sf.ListingFilters(sort=sf.Sort.RELEVANCE, **filters))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("蜂蜜", {"manuka", "clover"}),
        ("honey", {"manuka", "clover"}),
        ("HONEY", {"manuka", "clover"}),
        ("honeys", {"manuka", "clover"}),  # English is stemmed
        ("manuka honey", {"manuka"}),
        ("麦卢卡", {"manuka"}),
        ("奶粉", {"formula"}),
        ("milk powder", {"formula"}),
        ("milk powders", {"formula"}),
        ("蓝牙耳机", {"earbuds"}),  # "无线蓝牙耳机" holds it
        ("bluetooth earbud", {"earbuds"}),
        ("comvita", {"manuka"}),  # brand
        ("康维他", {"manuka"}),
        ("食品酒水", {"manuka", "clover"}),  # a category finds its subcategories' products
        ("wines", {"manuka", "clover"}),  # "Food & Wine", lightly stemmed
        ("康维他 蜂蜜", {"manuka"}),  # brand and name together
        ("ｈｏｎｅｙ", {"manuka", "clover"}),  # full-width letters from a Chinese keyboard
        ("hon", {"manuka", "clover"}),  # the last word may be half-typed
        ("the honey", {"manuka", "clover"}),
        ("durian", set()),
        ("   ", set()),
    ],
)
def test_finds_by_name_brand_or_category_in_both_languages(shop, query, expected):
    by_key = {k: getattr(shop, k).pk for k in ("manuka", "clover", "formula", "earbuds")}
    assert found(search(query)) == {by_key[k] for k in expected}


def test_never_finds_invisible_products(shop):
    assert shop.draft.pk not in found(search("草稿蜂蜜"))
    assert shop.hidden.pk not in found(search("suspended honey"))


def test_whole_phrase_in_the_name_ranks_first(shop):
    newer = ProductFactory(
        category=shop.honey_cat,
        merchant=shop.kiwi,
        brand=None,
        name_en="Honey and Manuka blend",
        name_zh_hans="蜂蜜混合",
    )
    result = search("manuka honey").ids
    assert result.index(shop.manuka.pk) < result.index(newer.pk)


def test_filters_and_price_sort_apply_to_results(shop):
    assert found(search("honey", trade_mode="bonded")) == {shop.clover.pk}
    assert found(search("honey", self_operated=True)) == {shop.clover.pk}
    cheap_first = sf.search_product_ids(
        "honey", sf.ListingFilters(sort=sf.Sort.PRICE_ASC, currency="CNY")
    ).ids
    assert cheap_first == [shop.clover.pk, shop.manuka.pk]


def test_results_are_paginated(client, shop):
    for n in range(30):
        ProductFactory(category=shop.honey_cat, merchant=shop.kiwi, name_en=f"Honey pot {n}")
    first = sf.search_product_ids("honey", sf.ListingFilters(), page=1)
    second = sf.search_product_ids("honey", sf.ListingFilters(), page=2)
    assert first.total == 32 and len(first.ids) == 24 and len(second.ids) == 8
    assert not set(first.ids) & set(second.ids)
    html = names(client, "honey", page=2)
    assert "Page 2 of 2" in html and html.count('class="product-card"') == 8


def test_search_page_in_both_languages(client, shop):
    html = names(client, "蜂蜜", lang="zh-hans")
    assert "麦卢卡蜂蜜" in html and "三叶草蜂蜜" in html and "无线蓝牙耳机" not in html
    html = names(client, "milk powder")
    assert "Infant Formula Milk Powder Stage 1" in html and "1 product" in html
    assert "Nothing matches your search" in names(client, "durian")


def test_results_follow_edits_at_once(shop):
    assert shop.earbuds.pk not in found(search("headphones"))
    shop.earbuds.name_en = "Wireless Bluetooth Headphones"
    shop.earbuds.save()
    assert shop.earbuds.pk in found(search("headphones"))


def test_deep_pages_beyond_the_cached_ids_query_live(shop, monkeypatch):
    monkeypatch.setattr(sf, "MAX_CACHED_IDS", 2)
    for n in range(5):
        ProductFactory(category=shop.honey_cat, merchant=shop.kiwi, name_en=f"Honey pot {n}")
    pages = [
        sf.search_product_ids("honey", sf.ListingFilters(), page=p, per_page=2)
        for p in (1, 2, 3, 4)
    ]
    seen = [pid for p in pages for pid in p.ids]
    assert pages[0].total == 7 and len(seen) == 7 == len(set(seen))


def test_simple_matching_fallback_for_sqlite(shop, monkeypatch):
    """The embedded SQLite default has no full-text index: substring matching instead."""
    from catalog.selectors.storefront import search as search_module

    monkeypatch.setattr(search_module, "full_text_available", lambda: False)
    assert found(search("蜂蜜")) == {shop.manuka.pk, shop.clover.pk}
    assert found(search("honeys")) == {shop.manuka.pk, shop.clover.pk}
    assert found(search("蓝牙耳机")) == {shop.earbuds.pk}


def test_postgres_uses_the_search_index(shop):
    from django.db import connection

    qs = Product.objects.filter(sf.NameMatches(sf.Term("蜂蜜", True), last=True))
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = qs.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "catalog_product_search_gin" in plan
