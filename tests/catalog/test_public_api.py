"""Public catalog API: anonymous, read-only, throttled, only visible products, money as
strings in the display currency, documented in OpenAPI."""

import pytest

from tests.catalog.storefront_catalog import build_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return build_shop()


def test_categories_tree_is_public(client, shop):
    response = client.get("/api/v1/categories/")
    assert response.status_code == 200
    food = next(c for c in response.json() if c["slug"] == "food")
    assert food["name_zh_hans"] == "食品酒水"
    assert [c["slug"] for c in food["children"]] == ["honey"]


def test_products_lists_only_visible_products_with_prices_as_strings(client, shop):
    body = client.get("/api/v1/products/", {"currency": "CNY"}).json()
    names = {p["name_en"] for p in body["results"]}
    assert names == {
        "Manuka Honey UMF 10+",
        "Clover Honey",
        "Infant Formula Milk Powder Stage 1",
        "Wireless Bluetooth Earbuds",
    }
    manuka = next(p for p in body["results"] if p["id"] == shop.manuka.pk)
    assert manuka["listing_price"] == {"amount": "30.00", "currency": "USD", "display": "$30.00"}
    assert manuka["price"]["amount"] == "213.00" and manuka["price"]["currency"] == "CNY"
    assert manuka["url"] == f"/en/p/{shop.manuka.pk}/{shop.manuka.slug}/"
    assert body["currency"] == "CNY" and body["count"] == 4


def test_products_search_and_filters(client, shop):
    body = client.get("/api/v1/products/", {"q": "蜂蜜", "trade_mode": "bonded"}).json()
    assert [p["id"] for p in body["results"]] == [shop.clover.pk]
    body = client.get("/api/v1/products/", {"category": "mother-baby"}).json()
    assert [p["id"] for p in body["results"]] == [shop.formula.pk]
    body = client.get("/api/v1/products/", {"brand": "comvita"}).json()
    assert [p["id"] for p in body["results"]] == [shop.manuka.pk]
    body = client.get("/api/v1/products/", {"q": "honey", "sort": "price_asc"}).json()
    assert [p["id"] for p in body["results"]] == [shop.clover.pk, shop.manuka.pk]


def test_products_pages(client, shop):
    body = client.get("/api/v1/products/", {"page_size": 3}).json()
    assert body["pages"] == 2 and len(body["results"]) == 3 and "page=2" in body["next"]
    second = client.get(body["next"]).json()
    assert len(second["results"]) == 1 and second["previous"]


def test_bad_parameters_get_the_one_error_format(client, shop):
    response = client.get(
        "/api/v1/products/",
        {"currency": "XYZ", "category": "nope", "price_min": "-1"},
        headers={"accept-language": "zh-hans"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["currency"] == ["该币种尚未设置汇率。"]
    assert error["fields"]["category"] == ["没有此标识的分类。"]
    assert "price_min" in error["fields"]


def test_product_detail_with_skus_tiers_and_stock(client, shop):
    body = client.get(f"/api/v1/products/{shop.manuka.pk}/", {"currency": "USD"}).json()
    assert body["name"] == "Manuka Honey UMF 10+"
    assert body["availability"] == "low_stock"
    big = next(s for s in body["skus"] if s["attributes"] == {"size": "500g"})
    assert big["price"]["amount"] == "52.00" and big["min_order_quantity"] == 2
    assert big["availability"] == "out_of_stock"
    assert big["tiers"][0]["min_quantity"] == 10
    assert big["tiers"][0]["unit_price"]["amount"] == "45.00"
    assert body["ships_from"] == [{"name": "Auckland", "kind": "overseas", "country": "NZ"}]


@pytest.mark.parametrize("which", ["draft", "hidden"])
def test_invisible_product_detail_is_404(client, shop, which):
    response = client.get(f"/api/v1/products/{getattr(shop, which).pk}/")
    assert response.status_code == 404 and response.json()["error"]["status"] == 404


def test_read_only(client, shop, user, client_for):
    for c in (client, client_for(user)):
        assert c.post("/api/v1/products/", {}).status_code in (403, 405)
        assert c.delete(f"/api/v1/products/{shop.clover.pk}/").status_code in (403, 405)


def test_anonymous_callers_are_throttled(client, shop, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    codes = [client.get("/api/v1/categories/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_documented_in_openapi(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/categories/", "/api/v1/products/", "/api/v1/products/{id}/"):
        assert path in schema
