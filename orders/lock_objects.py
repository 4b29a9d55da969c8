"""The orders app's row locks (docs/ARCHITECTURE.md, "Lock order": slot 6 the cart and the
checkout, slot 8 the orders; the payment, slot 7, is ``payments.lock_objects``).

- **carts** (``lock_cart``, ``lock_carts``): the cart row. Every write to a cart or its lines
  happens under its cart's lock, so the lines need no lock of their own: two adds to one line
  take turns and the second sees the first's quantity. A merge at log-in locks both carts, in
  primary-key order.
- **checkouts** (``lock_checkout``): placing, expiring and paying a checkout.
- **orders** (``lock_orders``): every order move, refund and allocation change, in
  primary-key order; a payment's announcement locks the payment first, then its orders.

Call these inside ``transaction.atomic``; the locks last until it ends. Nothing above slot 6
(merchants, warehouses, products) is locked by a cart write: a cart only reads those rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from marketplace.locking import for_update
from orders.models import Cart, Checkout, Order


def lock_cart(cart_id: int) -> Cart:
    """Lock cart ``cart_id`` for this transaction (raises ``Cart.DoesNotExist``)."""
    return for_update(Cart.objects).get(pk=cart_id)


def lock_carts(cart_ids: Iterable[int]) -> dict[int, Cart]:
    """Lock the carts ``cart_ids`` in primary-key order (those that exist)."""
    ids = sorted({int(pk) for pk in cart_ids})
    return {cart.pk: cart for cart in for_update(Cart.objects).filter(pk__in=ids).order_by("pk")}


def lock_checkout(checkout_id: int) -> Checkout:
    """Lock checkout ``checkout_id`` (slot 6, like the cart: a checkout is placed from the
    cart and comes before its payment and orders). Raises ``Checkout.DoesNotExist``."""
    return for_update(Checkout.objects).get(pk=checkout_id)


def lock_orders(order_ids: Iterable[int]) -> dict[int, Order]:
    """Lock the orders ``order_ids`` in primary-key order (slot 8, after the payment).
    Their lines, allocations and refunds are written only under their order's lock."""
    ids = sorted({int(pk) for pk in order_ids})
    return {o.pk: o for o in for_update(Order.objects).filter(pk__in=ids).order_by("pk")}
