"""The returns' outbox handlers.

- ``declarations.returned`` (written by the declarations when a CEB625's CEB626 says 399):
  give the buyer's yearly quota back for the return's lines (``return_quota_restore``), once.
- ``returns.email``: the shopper's email about their return (approved, with the link to the
  return label; declined, with the merchant's reason), in the language they checked out in,
  once per return and kind. The refund's email is the orders' ``refunded`` one
  (``order_refund`` writes it).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from customs.declarations.services import RETURNED
from marketplace.i18n import page_language
from marketplace.outbox import outbox_handler

from .lock_objects import lock_return
from .models import ReturnEmail, ReturnRequest
from .services import RETURN_EMAIL, return_quota_restore


@outbox_handler(RETURNED, queue="customs")
def restore_quota_on_customs_return(payload: dict) -> bool:
    return return_quota_restore(declaration_id=payload["declaration_id"])


@outbox_handler(RETURN_EMAIL, queue="notifications")
def send_return_email(payload: dict) -> bool:
    kind = payload["kind"]
    with transaction.atomic():
        request = lock_return(payload["request_id"])
        if ReturnEmail.objects.filter(request=request, kind=kind).exists():
            return False
        request = ReturnRequest.objects.select_related("order__checkout", "order__merchant").get(
            pk=request.pk
        )
        order, checkout = request.order, request.order.checkout
        language = page_language(checkout.language or settings.LANGUAGE_CODE)
        with translation.override(language):
            context = {
                "request": request,
                "order": order,
                "merchant": order.merchant.name,
                "lines": list(request.lines.select_related("order_line")),
                "url": settings.SITE_URL + reverse("account_orders:detail", args=[order.number]),
                "label_url": settings.SITE_URL
                + reverse("account_returns:label", args=[order.number, request.pk]),
            }
            subject = render_to_string(f"returns/email/{kind}_subject.txt", context).strip()
            body = render_to_string(f"returns/email/{kind}.txt", context)
        send_mail(subject, body, None, [checkout.email])
        ReturnEmail.objects.create(request=request, kind=kind, to=checkout.email, language=language)
    return True
