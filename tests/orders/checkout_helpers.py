"""Helpers for checkout tests: addresses, identities, a shopper with a filled cart."""

from __future__ import annotations

from customs.identity import id_check_character
from orders.models import Cart, Checkout
from orders.services import cart_add, cart_for_user, checkout_place
from tests.factories import UserFactory

ADDRESS_CN = {
    "name": "王小明",
    "phone": "13800138000",
    "country": "CN",
    "province": "CN-ZJ",
    "city": "杭州市",
    "district": "西湖区",
    "lines": "文三路 100 号",
    "postcode": "310000",
}

ADDRESS_US = {
    "name": "Ann Lee",
    "phone": "+1 415-555-0100",
    "country": "US",
    "city": "San Francisco",
    "lines": "1 Market St",
    "postcode": "94105",
}


def id_number(serial: str = "001") -> str:
    """A well-formed PRC identity number (checksum right) with the given 3-digit serial."""
    first17 = "11010519900307" + serial
    return first17 + id_check_character(first17)


def identity(name: str = "王小明", serial: str = "001") -> dict:
    return {"name": name, "id_number": id_number(serial), "phone": "13800138000"}


def shopper_with(*items, destination: str = "CN"):
    """A new shopper whose cart holds ``(sku, quantity)`` items."""
    user = UserFactory()
    cart = cart_for_user(user=user)
    for sku, quantity in items:
        cart_add(cart=cart, sku_id=sku.pk, quantity=quantity, destination=destination)
    return user, cart


def place(
    user, cart: Cart, *, key: str = "k1", address=None, ident="default", **kwargs
) -> Checkout:
    return checkout_place(
        user=user,
        cart=cart,
        address=address or ADDRESS_CN,
        identity=identity() if ident == "default" else ident,
        shipping=kwargs.pop("shipping", {}),
        currency=kwargs.pop("currency", "CNY"),
        language=kwargs.pop("language", "en"),
        idempotency_key=key,
        **kwargs,
    )
