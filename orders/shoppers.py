"""Whose cart a request has, and where it ships to: the request-side half of the cart, used
by the pages, the API and the log-in signal alike.

- A signed-in shopper's cart is their user's. A shopper who has not signed in gets a cart
  row on their first add; its random token is kept in their session (``SESSION_TOKEN``), so
  the cart lives in the database and only the key to it in the session.
- The destination is the shopper's last choice, kept in the session (``SESSION_DESTINATION``,
  and for China the province, ``SESSION_PROVINCE``, which domestic carriers price by);
  without one, China (``orders.selectors.DEFAULT_DESTINATION``).
"""

from __future__ import annotations

from logistics.shipping.regions import province_code
from marketplace.countries import is_country
from orders.models import Cart
from orders.selectors import DEFAULT_DESTINATION, CartOwner, cart_of
from orders.services import cart_for_session, cart_for_user

SESSION_TOKEN = "orders.cart_token"
SESSION_DESTINATION = "orders.destination"
SESSION_PROVINCE = "orders.province"


def owner_of(request) -> CartOwner:
    """The request's cart owner (reads the session only if the request has one)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return CartOwner(user_id=user.pk)
    return CartOwner(token=request.session.get(SESSION_TOKEN))


def cart_of_request(request) -> Cart | None:
    return cart_of(owner_of(request))


def cart_for_write(request) -> Cart:
    """The request's cart, created when it has none (an anonymous one is remembered in the
    session)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return cart_for_user(user=user)
    cart = cart_of(owner_of(request))
    if cart is None:
        cart = cart_for_session()
        request.session[SESSION_TOKEN] = cart.token
    return cart


def destination_of(request) -> str:
    """The shopper's chosen destination country, else China."""
    chosen = (request.session.get(SESSION_DESTINATION) or "").upper()
    return chosen if is_country(chosen) else DEFAULT_DESTINATION


def province_of(request) -> str:
    """The chosen Chinese province (``CN-ZJ``) when the destination is China, else ``""``."""
    if destination_of(request) != DEFAULT_DESTINATION:
        return ""
    return province_code("CN", request.session.get(SESSION_PROVINCE) or "")


def remember_destination(request, country: str, province: str = "") -> None:
    country = country.upper()
    request.session[SESSION_DESTINATION] = country
    request.session[SESSION_PROVINCE] = province_code(country, province) if country == "CN" else ""
