"""The orders app's outbox handlers: what an order change causes outside its transaction.

``orders.refund`` (written by ``orders.services.paying.refund_enqueue``: a cancellation, a
refund, a payment that came too late) gives money back through
``payments.services.payment_refund``, keyed by the refund's own reference, so a repeated
delivery finds the first refund and makes no second one.

``orders.cancel_intent`` (written by ``checkouts_expire`` in the expiry's transaction)
cancels the expired checkout's PaymentIntent through ``payments.services.payment_cancel``
after commit, so the card can no longer be charged; a repeated delivery finds the payment
cancelled and does nothing, and one paid meanwhile stays paid (``checkout_pay`` re-reserves
or refunds it, docs/ORDERS.md "Late payment").

``orders.give_back`` (written by ``order_cancel`` for a paid order) takes the checkout's
lock and gives back what no order of the checkout keeps (``paid_order_give_back``): in its
own transaction so the marketing rows are locked right after the checkout, as the lock
order says, and not after the order's lock the cancellation holds. Idempotent.

The emails to the shopper about their order:
Enqueued by ``orders.notifications.enqueue_order_email`` in the transaction of the change,
delivered by a worker on the ``notifications`` queue. Idempotent: the handler locks the order
(slot 8), looks for the ``OrderEmail`` row of this kind and reference, and writes it in the
transaction that sends, so a repeated delivery mails nothing. Links start with
``settings.SITE_URL``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from marketing.distribution import ledger as distribution_ledger
from marketing.points import services as points_services
from marketplace.currency import money_text
from marketplace.i18n import page_language
from marketplace.money import Money
from marketplace.outbox import outbox_handler
from payments.models import Payment
from payments.services import payment_cancel, payment_refund

from .lock_objects import lock_checkout, lock_orders
from .models import Checkout, Order, OrderEmail, OrderLine
from .notifications import ORDER_EMAIL
from .services.completion import COMMISSIONS_CONFIRM, POINTS_EARN, POINTS_REVERSE, earn_basis
from .services.expiry import CANCEL_INTENT, GIVE_BACK, paid_order_give_back
from .services.paying import REFUND_ORDER


@outbox_handler(ORDER_EMAIL, queue="notifications")
def send_order_email(payload: dict) -> bool:
    """Email the shopper about their order in the checkout's language. ``payload``:
    ``order_id``, ``kind`` (paid, cancelled, refunded), ``reference`` (the refund), ``amount``
    (refunded, in the order's currency)."""
    kind, reference = payload["kind"], payload.get("reference") or ""
    with transaction.atomic():
        order = lock_orders([payload["order_id"]]).get(payload["order_id"])
        if order is None:
            return False
        if OrderEmail.objects.filter(order=order, kind=kind, reference=reference).exists():
            return False
        checkout = order.checkout
        language = page_language(checkout.language or settings.LANGUAGE_CODE)
        with translation.override(language):
            amount = payload.get("amount")
            context = {
                "order": order,
                "merchant": order.merchant.name,
                "status": order.get_status_display(),
                "lines": list(OrderLine.objects.filter(order=order)),
                "total": money_text(order.total, order.currency, language),
                "refunded": money_text(Decimal(amount), order.currency, language)
                if amount
                else None,
                "url": settings.SITE_URL + reverse("account_orders:detail", args=[order.number]),
            }
            subject = render_to_string(f"orders/email/{kind}_subject.txt", context).strip()
            body = render_to_string(f"orders/email/{kind}.txt", context)
        send_mail(subject, body, None, [checkout.email])
        OrderEmail.objects.create(
            order=order, kind=kind, reference=reference, to=checkout.email, language=language
        )
    return True


@outbox_handler(REFUND_ORDER)
def refund_order(payload: dict) -> str:
    """Refund ``payload["amount"]`` of the checkout's payment for one order; the refund's
    status. A checkout without a payment has nothing to refund."""
    checkout = Checkout.objects.get(pk=payload["checkout_id"])
    payment = Payment.objects.filter(reference=checkout.number).first()
    if payment is None:
        return "no payment"
    refund = payment_refund(
        payment=payment,
        amount=Money(payload["amount"], payload["currency"]),
        reference=payload["reference"],
        reason=payload.get("reason", ""),
    )
    return refund.status


@outbox_handler(CANCEL_INTENT)
def cancel_intent(payload: dict) -> str:
    """Cancel the expired checkout's PaymentIntent at Stripe; the payment's status after.
    A checkout that never started a payment has nothing to cancel."""
    checkout = Checkout.objects.get(pk=payload["checkout_id"])
    payment = Payment.objects.filter(reference=checkout.number).first()
    if payment is None:
        return "no payment"
    return payment_cancel(payment=payment, reason=payload.get("reason", "")).status


@outbox_handler(GIVE_BACK)
def give_back(payload: dict) -> bool:
    """Give back what a paid checkout's cancelled orders used and no kept order uses."""
    with transaction.atomic():
        checkout = lock_checkout(payload["checkout_id"])
        paid_order_give_back(checkout, reason=payload.get("reason", ""))
    return True


@outbox_handler(POINTS_EARN)
def points_earn(payload: dict) -> int:
    """A completed order's points (``orders.services.completion``)."""
    order = Order.objects.get(number=payload["order"])
    lines, kept = earn_basis(order)
    return points_services.points_earn(
        user_id=order.user_id, order_number=order.number, lines=lines, kept=kept
    )


@outbox_handler(POINTS_REVERSE)
def points_reverse(payload: dict) -> int:
    """A completed order was refunded: its points come down to its unrefunded share."""
    order = Order.objects.get(number=payload["order"])
    lines, kept = earn_basis(order)
    return points_services.points_reverse(
        order_number=order.number, refund_key=payload["refund"], lines=lines, kept=kept
    )


@outbox_handler(COMMISSIONS_CONFIRM)
def commissions_confirm(payload: dict) -> int:
    """A completed order: its frozen distribution commission becomes available (the return
    window is over). Idempotent: confirmed rows are no longer frozen."""
    return distribution_ledger.commissions_confirm(order_id=payload["order_id"])
