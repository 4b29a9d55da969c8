"""Test and demo support: pay an intent as a card would. Not used by production code.

Stripe.js collects card numbers in the browser; tests and the demo's scripted purchases
have no browser, so this creates a PaymentMethod from a **test card number** through the
SDK (Stripe accepts raw numbers only in test mode; localstripe always) and confirms the
intent with it, the way localstripe allows (attach, then confirm with no arguments:
localstripe answers ``confirm(payment_method=…)`` with "Not implemented").

Test cards (Stripe's, which localstripe knows):
``4242424242424242`` pays; ``4000000000000341`` is declined on charge (``card_declined``);
``4000002760003184`` asks for 3-D Secure (``requires_action``).
"""

from __future__ import annotations

from .models import Payment
from .provider import stripe_client
from .services import payment_confirm

PAYS = "4242424242424242"
DECLINED = "4000000000000341"
THREE_D_SECURE = "4000002760003184"


def test_payment_method(number: str) -> str:
    """A PaymentMethod id for test card ``number`` (expiry next years, CVC 123)."""
    method = stripe_client().v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    return method.id


def pay_with_test_card(payment: Payment, number: str = PAYS) -> Payment:
    """Pay ``payment``'s intent with test card ``number`` and apply the result (as the
    checkout page does after Stripe.js); returns the payment as it now is."""
    return payment_confirm(payment=payment, payment_method=test_payment_method(number))


test_payment_method.__test__ = False  # a helper, not a pytest test
