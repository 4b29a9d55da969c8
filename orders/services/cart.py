"""Cart writes: add, change a quantity, remove, merge an anonymous cart into an account.

Every write takes its cart's lock first (``orders.lock_objects.lock_cart``, lock slot 6) and
re-reads the line under it, so two adds to one line add up and a merge never loses a line.
Quantities are checked against the SKU's offer now (``orders.selectors.Offer.problem``):
listed, merchant approved, stock that can ship to the destination, minimum order quantity.
A refused write raises ``ValidationError`` naming the field (``quantity`` or ``sku``) with a
code from ``orders.selectors.Problem`` and changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from orders.lock_objects import lock_cart, lock_carts
from orders.models import Cart, CartLine
from orders.selectors import (
    Offer,
    Problem,
    cart_count_forget,
    offer_for,
    offers_for,
    problem_text,
    sku_rows,
)

# A quantity above this is refused whatever the stock (a typo, not an order).
MAX_QUANTITY = 9999


def cart_for_user(*, user) -> Cart:
    """The user's cart, created when they have none (safe against a concurrent create)."""
    cart = Cart.objects.filter(user=user).first()
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            return Cart.objects.create(user=user)
    except IntegrityError:
        return Cart.objects.get(user=user)


def cart_for_session() -> Cart:
    """A new anonymous cart; the caller keeps its ``token`` in the shopper's session."""
    return Cart.objects.create()


def _refuse(field: str, code: str, message: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _lock(cart: Cart) -> Cart:
    """The cart's lock; a cart merged away meanwhile (its shopper signed in on another
    request) is refused like any other change that came too late. The header's cached count
    is forgotten: every caller is about to change the lines."""
    try:
        locked = lock_cart(cart.pk)
    except Cart.DoesNotExist:
        raise _refuse(
            "cart", "cart_gone", _("Your cart changed in the meantime: please try again.")
        ) from None
    cart_count_forget(locked)
    return locked


def _invalid_quantity() -> ValidationError:
    return _refuse(
        "quantity", "invalid_quantity", _("Enter a quantity from 1 to %(n)s.") % {"n": MAX_QUANTITY}
    )


def _check(offer: Offer | None, quantity: int, destination: str, adding: bool = False) -> Offer:
    if offer is None:
        raise _refuse("sku", "unknown_sku", _("This product does not exist."))
    if quantity < 1 or quantity > MAX_QUANTITY:
        raise _invalid_quantity()
    found = offer.problem(quantity, destination)
    if found:
        code, values = found
        field = "quantity" if code in {Problem.INSUFFICIENT_STOCK, Problem.BELOW_MINIMUM} else "sku"
        raise _refuse(field, code, problem_text(code, adding=adding, **values))
    return offer


@transaction.atomic
def cart_add(*, cart: Cart, sku_id: int, quantity: int, destination: str) -> CartLine:
    """Add ``quantity`` units of SKU ``sku_id`` (to the line already holding it, if any).
    The line's new quantity must pass the offer's rules for ``destination``."""
    offer = offer_for(sku_id, destination)
    if quantity < 1:
        raise _invalid_quantity()
    _lock(cart)
    line = CartLine.objects.filter(cart=cart, sku_id=sku_id).first()
    total = quantity + (line.quantity if line else 0)
    offer = _check(offer, total, destination, adding=line is None)
    unit = offer.unit_price(total)
    if line is None:
        line = CartLine.objects.create(
            cart=cart,
            sku_id=sku_id,
            quantity=total,
            unit_price_seen=unit,
            currency_seen=offer.currency,
        )
    else:
        line.quantity, line.unit_price_seen, line.currency_seen = total, unit, offer.currency
        line.save(update_fields=["quantity", "unit_price_seen", "currency_seen", "updated_at"])
    Cart.objects.filter(pk=cart.pk).update(updated_at=line.updated_at)
    return line


@transaction.atomic
def cart_set_quantity(*, cart: Cart, line_id: int, quantity: int, destination: str) -> CartLine:
    """Set a line's quantity (0 removes it). The shopper now sees today's price: the line's
    price change, if any, is acknowledged."""
    _lock(cart)
    line = CartLine.objects.filter(cart=cart, pk=line_id).first()
    if line is None:
        raise _refuse("line", "unknown_line", _("This item is no longer in your cart."))
    if quantity == 0:
        line.delete()
        return line
    offer = _check(offer_for(line.sku_id, destination), quantity, destination)
    line.quantity = quantity
    line.unit_price_seen = offer.unit_price(quantity)
    line.currency_seen = offer.currency
    line.save(update_fields=["quantity", "unit_price_seen", "currency_seen", "updated_at"])
    return line


@transaction.atomic
def cart_remove(*, cart: Cart, line_id: int) -> None:
    """Remove a line (removing one that is gone already is not an error)."""
    _lock(cart)
    CartLine.objects.filter(cart=cart, pk=line_id).delete()


@transaction.atomic
def cart_merge(*, user, token: str, destination: str) -> Cart | None:
    """Merge the anonymous cart ``token`` into ``user``'s cart at log-in and delete it.

    Quantities of a SKU in both add up. A sum over what can ship to ``destination`` is
    capped at that, unless that is below the line's minimum order quantity: then, like a
    line whose SKU cannot be bought at all, it moves over as it is and the cart page says
    why. Returns the user's
    cart, or None when there was no anonymous cart to merge.
    """
    anonymous = Cart.objects.filter(token=token, user__isnull=True).first()
    if anonymous is None:
        return None
    own = cart_for_user(user=user)
    locked = lock_carts([anonymous.pk, own.pk])
    if anonymous.pk not in locked:  # merged by a concurrent log-in meanwhile
        return own
    cart_count_forget(anonymous)
    cart_count_forget(own)
    incoming = list(CartLine.objects.filter(cart=anonymous))
    existing = {line.sku_id: line for line in CartLine.objects.filter(cart=own)}
    offers = offers_for(sku_rows().filter(pk__in=[line.sku_id for line in incoming]), destination)
    for line in incoming:
        offer = offers[line.sku_id]
        mine = existing.get(line.sku_id)
        total = line.quantity + (mine.quantity if mine else 0)
        found = offer.problem(total, destination)
        capped = found and found[0] == Problem.INSUFFICIENT_STOCK
        if capped and found[1]["available"] >= offer.minimum:
            total = found[1]["available"]
        seen = _seen_after_merge(offer, [line, mine] if mine else [line], total)
        target = mine or line
        target.cart, target.quantity, target.unit_price_seen = own, total, seen
        target.save(update_fields=["cart", "quantity", "unit_price_seen", "updated_at"])
    anonymous.delete()
    return own


def _seen_after_merge(offer: Offer, lines: list[CartLine], total: int):
    """The price a merged line was seen at: a price change either line was showing stays
    shown; otherwise today's price at the merged quantity (a tier reached by merging is not
    a price change)."""
    for line in lines:
        if line.currency_seen == offer.currency and line.unit_price_seen != offer.unit_price(
            line.quantity
        ):
            return line.unit_price_seen
    return offer.unit_price(total)
