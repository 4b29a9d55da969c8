"""Log-in merges the anonymous cart of the session into the account's cart
(``orders.services.cart_merge``), connected in ``OrdersConfig.ready``."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from orders.services import cart_merge
from orders.shoppers import SESSION_TOKEN, destination_of


@receiver(user_logged_in, dispatch_uid="orders.merge_cart_on_login")
def merge_cart_on_login(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    token = session.get(SESSION_TOKEN) if session is not None else None
    if not token:
        return
    cart_merge(user=user, token=token, destination=destination_of(request))
    session.pop(SESSION_TOKEN, None)
