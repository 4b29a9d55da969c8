"""What a shopper can do about an order the checkout refuses: one hint per reason (the
duty engine's blocking codes, no shipping), shown under the reason itself."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

HINTS = {
    "cbec_transaction_limit": _(
        "Lower the quantities or remove items in your cart, or order them in separate checkouts."
    ),
    "cbec_yearly_limit": _(
        "Remove items from your cart so this order fits what you have left this year; the "
        "yearly limit starts again on 1 January. The identity must be the payer's own."
    ),
    "cbec_no_product_record": _(
        "Remove this item from your cart: the seller can sell it from the bonded warehouse "
        "once customs has recorded it."
    ),
    "parcel_limit": _("Lower the quantities in your cart so each parcel stays within the limit."),
    "excise_not_allowed": _("Remove this item from your cart, or ship to another country."),
    "over_threshold": _("Remove items from your cart to bring the order under the limit."),
}
NO_SHIPPING = _("Choose another address, or remove these items from your cart.")
SHIPPING_HINTS = {
    "province_required": _(
        "Choose the province of the address and press “Update shipping and duties”."
    ),
    "too_heavy": _("Lower the quantities in your cart: the parcel is too heavy for every carrier."),
}
NO_DUTIES = _("Remove these items from your cart, or ship to another country.")


def refusal_hints(group) -> list[tuple[str, str]]:
    """(reason, what to do) for each reason ``group`` (an ``orders.plan.GroupView``) cannot
    be ordered, in the page language; empty when it can."""
    from marketplace.i18n import page_language

    language = page_language()
    if group.chosen is None:
        hint = SHIPPING_HINTS.get(str(group.shipping.reason or ""), NO_SHIPPING)
        return [(group.shipping.message, str(hint))]
    if group.duties.error:
        return [(group.duties.error, str(NO_DUTIES))]
    if group.duties.blocked:
        return [
            (message.text(language), str(HINTS.get(message.code, NO_DUTIES)))
            for message in group.duties.result.blocking
        ]
    return []


# Stripe's decline and authentication codes (``last_payment_error.code`` / ``decline_code``)
# as shoppers read them, in their language; anything else gets the general text.
CARD_FAILURES = {
    "card_declined": _("Your card was declined. Try another card, or ask your bank why."),
    "generic_decline": _("Your card was declined. Try another card, or ask your bank why."),
    "insufficient_funds": _("Your card has insufficient funds. Try another card."),
    "expired_card": _("Your card has expired. Try another card."),
    "incorrect_cvc": _("The card's security code is wrong. Check it and try again."),
    "incorrect_number": _("The card number is wrong. Check it and try again."),
    "processing_error": _("The card could not be charged just now. Try again in a moment."),
    "payment_intent_authentication_failure": _(
        "Your bank's 3-D Secure check was not completed, so nothing was charged. Try again "
        "and complete the check, or use another card."
    ),
    "authentication_required": _(
        "Your bank asks for a 3-D Secure check: try again and complete it."
    ),
}
CARD_FAILED = _("The payment was not completed. Try again, or use another card.")


def card_failure_text(code: str | None) -> str:
    """The card's reason for ``code``, in the page language."""
    return str(CARD_FAILURES.get(code or "", CARD_FAILED))
