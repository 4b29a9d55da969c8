"""The orders app's outbox handlers: emails to the shopper about their order.

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

from marketplace.currency import money_text
from marketplace.i18n import page_language
from marketplace.outbox import outbox_handler

from .lock_objects import lock_orders
from .models import OrderEmail, OrderLine
from .notifications import ORDER_EMAIL


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
