"""The storefront cache and transactions: a page read while a catalog edit is still
uncommitted must not keep showing the old data once the edit commits."""

import threading

import pytest
from django.db import connection, transaction
from django.test import Client

from catalog.models import Product
from tests.catalog.storefront_catalog import build_shop


def _page_from_another_connection(url: str) -> str:
    """What another shopper's request sees now (its own thread, so its own connection)."""
    seen = {}

    def visit():
        try:
            seen["html"] = Client().get(url).content.decode()
        finally:
            connection.close()

    thread = threading.Thread(target=visit)
    thread.start()
    thread.join(timeout=60)
    return seen["html"]


@pytest.mark.django_db(transaction=True)
def test_a_page_cached_while_an_edit_was_uncommitted_is_retired_by_the_commit():
    shop = build_shop()
    url = "/en/c/food/"
    assert "Clover Honey" in Client().get(url).content.decode()
    with transaction.atomic():
        clover = Product.objects.get(pk=shop.clover.pk)
        clover.name_en = "Clover Honey Gold"
        clover.save()
        # a shopper browsing now sees the committed rows (the old name), and that page is
        # cached under the version the save just made
        assert "Clover Honey Gold" not in _page_from_another_connection(url)
    after = Client().get(url).content.decode()
    assert "Clover Honey Gold" in after
