"""The orders app's row locks (docs/ARCHITECTURE.md, "Lock order", slot 6: the cart).

- **carts** (``lock_cart``, ``lock_carts``): the cart row. Every write to a cart or its lines
  happens under its cart's lock, so the lines need no lock of their own: two adds to one line
  take turns and the second sees the first's quantity. A merge at log-in locks both carts, in
  primary-key order.

Call these inside ``transaction.atomic``; the locks last until it ends. Nothing above slot 6
(merchants, warehouses, products) is locked by a cart write: a cart only reads those rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from marketplace.locking import for_update
from orders.models import Cart


def lock_cart(cart_id: int) -> Cart:
    """Lock cart ``cart_id`` for this transaction (raises ``Cart.DoesNotExist``)."""
    return for_update(Cart.objects).get(pk=cart_id)


def lock_carts(cart_ids: Iterable[int]) -> dict[int, Cart]:
    """Lock the carts ``cart_ids`` in primary-key order (those that exist)."""
    ids = sorted({int(pk) for pk in cart_ids})
    return {cart.pk: cart for cart in for_update(Cart.objects).filter(pk__in=ids).order_by("pk")}
