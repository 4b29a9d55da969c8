"""Receivers, connected in ``OrdersConfig.ready``: log-in merges the anonymous cart of the
session into the account's cart (``orders.services.cart_merge``); a payment that succeeded
pays its checkout's orders (``orders.services.checkout_pay``), one that failed changes
nothing (the shopper may try again until the checkout expires)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from orders.models import Checkout
from orders.services import cart_merge, checkout_pay, checkout_payment_failed
from orders.shoppers import SESSION_TOKEN, destination_of
from payments.signals import payment_failed, payment_succeeded


@receiver(user_logged_in, dispatch_uid="orders.merge_cart_on_login")
def merge_cart_on_login(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    token = session.get(SESSION_TOKEN) if session is not None else None
    if not token:
        return
    cart_merge(user=user, token=token, destination=destination_of(request))
    session.pop(SESSION_TOKEN, None)


@receiver(payment_succeeded, dispatch_uid="orders.pay_checkout")
def pay_checkout(sender, payment, **kwargs) -> None:
    """A payment succeeded (sent at least once): its checkout's orders are paid."""
    checkout = Checkout.objects.filter(number=payment.reference).first()
    if checkout is None:
        return  # not a checkout's payment
    checkout_pay(checkout=checkout, payment=payment)


@receiver(payment_failed, dispatch_uid="orders.payment_attempt_failed")
def payment_attempt_failed(sender, payment, **kwargs) -> None:
    """An attempt failed: the checkout waits for another until it expires."""
    checkout = Checkout.objects.filter(number=payment.reference).first()
    if checkout is not None:
        checkout_payment_failed(checkout=checkout, payment=payment)
