"""The quick start's promise: the demo marketplace runs on the embedded default (SQLite,
tasks in process, no Redis). Every other test runs on PostgreSQL, so a query only PostgreSQL
understands (an ``ArraySubquery`` once broke every storefront page this way) would pass them
all and still break ``make run``. This test seeds the demo into a fresh SQLite file in a
process of its own, with none of the test environment, and asks for the shopper's pages."""

from __future__ import annotations

import pytest

from tests.processes import embedded_default_env, manage

PAGES = """
import re
from django.test import Client
client = Client()
home = client.get("/en/")
assert home.status_code == 200, home.status_code
product = re.search(r'href="(/en/p/[^"]+)"', home.content.decode()).group(1)
for path in ("/zh-hans/", product, product.replace("/en/", "/zh-hans/", 1),
             "/en/search/?q=honey", "/zh-hans/search/?q=%E8%9C%82%E8%9C%9C", "/en/cart/",
             "/api/v1/products/"):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
# the demo shopper (saved address and identity) reaches the checkout with a product in the cart
from django.contrib.auth import get_user_model
shopper = Client()
shopper.force_login(get_user_model().objects.get(email="shopper@silkway.local"))
sku = re.search(r'name="sku" value="([0-9]+)"', client.get(product).content.decode())
assert sku, "no add-to-cart form on the product page"
assert shopper.post("/en/cart/add/", {"sku": sku.group(1), "quantity": 1}).status_code == 302
for path in ("/en/checkout/", "/zh-hans/checkout/"):
    response = shopper.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert 'name="ship-' in response.content.decode(), path
print("pages ok")
"""


@pytest.mark.timeout(600)
def test_the_demo_serves_its_pages_on_the_embedded_default(tmp_path):
    env = embedded_default_env(tmp_path)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")
    assert "pages ok" in manage(env, "shell", "-c", PAGES)
