"""What a shopper can do about an order the checkout page refuses, shown under the reason:
the duty engine's blocks (the hints ``checkout_place`` gives too,
``orders.services.checkout.duty_hint``), no shipping. (A card's failure is
``payments.selectors.failure_message``.)"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from orders.services.checkout import duty_hint

NO_SHIPPING = _("Choose another address, or remove these items from your cart.")
SHIPPING_HINTS = {
    "province_required": _(
        "Choose the province of the address and press “Update shipping and duties”."
    ),
    "too_heavy": _("Lower the quantities in your cart: the parcel is too heavy for every carrier."),
}
NO_CHOICE = _("Choose how this order is shipped.")
NO_CHOICE_HINT = _("Pick one of the shipping options above.")
NO_DUTIES = _("Remove these items from your cart, or ship to another country.")


def refusal_hints(group) -> list[tuple[str, str]]:
    """(reason, what to do) for each reason ``group`` (an ``orders.plan.GroupView``) cannot
    be ordered, in the page language; empty when it can."""
    from marketplace.i18n import page_language

    language = page_language()
    if group.chosen is None and group.shipping.options:
        return [(str(NO_CHOICE), str(NO_CHOICE_HINT))]
    if group.chosen is None:
        hint = SHIPPING_HINTS.get(str(group.shipping.reason or ""), NO_SHIPPING)
        return [(group.shipping.message, str(hint))]
    if group.duties.error:
        return [(group.duties.error, str(NO_DUTIES))]
    if group.duties.blocked:
        return [
            (message.text(language), duty_hint(message.code) or str(NO_DUTIES))
            for message in group.duties.result.blocking
        ]
    return []
