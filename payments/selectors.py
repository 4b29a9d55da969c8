"""Payments' reads: a payment by checkout, what is left to refund, and why a payment
failed, in the shopper's language."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.money import Money

from .models import Payment, Refund

# Stripe's decline codes (``last_payment_error.decline_code``) and error codes
# (``last_payment_error.code``) -> what the shopper reads. Codes not listed get the
# generic message; Stripe asks that fraud-related declines (``fraudulent``, ``lost_card``,
# ``stolen_card``, ``pickup_card``…) be shown as a generic decline, so they are not listed.
FAILURE_MESSAGES = {
    "insufficient_funds": gettext_lazy(
        "Your card has insufficient funds. Please use another card."
    ),
    "expired_card": gettext_lazy("Your card has expired. Please use another card."),
    "incorrect_cvc": gettext_lazy(
        "The card's security code is incorrect. Please check it and try again."
    ),
    "invalid_cvc": gettext_lazy(
        "The card's security code is incorrect. Please check it and try again."
    ),
    "incorrect_number": gettext_lazy(
        "The card number is incorrect. Please check it and try again."
    ),
    "invalid_number": gettext_lazy("The card number is incorrect. Please check it and try again."),
    "invalid_expiry_month": gettext_lazy("The card's expiry date is incorrect."),
    "invalid_expiry_year": gettext_lazy("The card's expiry date is incorrect."),
    "processing_error": gettext_lazy(
        "An error occurred while processing your card. Please try again."
    ),
    "card_velocity_exceeded": gettext_lazy(
        "Your card has reached its limit. Please use another card or contact your bank."
    ),
    "withdrawal_count_limit_exceeded": gettext_lazy(
        "Your card has reached its limit. Please use another card or contact your bank."
    ),
    "currency_not_supported": gettext_lazy(
        "Your card does not support this currency. Please use another card."
    ),
    "card_not_supported": gettext_lazy(
        "Your card does not support this kind of purchase. Please use another card."
    ),
    "payment_intent_authentication_failure": gettext_lazy(
        "Your bank could not verify this payment (3-D Secure). Please try again or use "
        "another card."
    ),
    "authentication_required": gettext_lazy(
        "Your bank asks you to verify this payment (3-D Secure). Please try again and "
        "complete the verification."
    ),
    "card_declined": gettext_lazy(
        "Your card was declined. Please use another card or contact your bank."
    ),
}


def failure_message(payment: Payment) -> str:
    """Why the payment's last attempt failed, in the active language ("" if it did not).

    ``payment.failure_code`` holds Stripe's decline code when the bank gave one, else its
    error code; ``payment.failure_message`` keeps Stripe's own English text for operators."""
    if not payment.failure_code:
        return ""
    message = FAILURE_MESSAGES.get(payment.failure_code)
    if message is None:
        return _("Your card was declined. Please use another card or contact your bank.")
    return str(message)


def payment_for_reference(reference: str) -> Payment | None:
    """The payment of checkout ``reference``, if one was started."""
    return Payment.objects.filter(reference=reference).first()


def payment_refundable(payment: Payment) -> Money:
    """What is left to refund: paid minus pending and succeeded refunds (zero if unpaid)."""
    if not payment.is_paid:
        return Money(0, payment.currency)
    taken = payment.refunds.filter(
        status__in=[Refund.Status.PENDING, Refund.Status.SUCCEEDED]
    ).aggregate(total=Sum("amount"))["total"]
    return Money(payment.amount - (taken or 0), payment.currency)
