"""The payment lifecycle, in one table (``marketplace.transitions.Workflow``).

``succeeded`` and ``canceled`` are final: nothing moves a payment out of them, so an event
that arrives late (a ``payment_intent.payment_failed`` after ``succeeded``) changes nothing.
``failed`` is not final: Stripe keeps the PaymentIntent open after a decline, and the
shopper may pay it with another card (a new failure of the same intent is ``fail`` again,
one event row per failed attempt). Refunds do not move the payment: they are ``Refund``
rows, and what is left to refund is the paid amount minus them.
"""

from __future__ import annotations

from marketplace.transitions import Transition, Workflow

from .models import Payment

S = Payment.Status
OPEN = {S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_ACTION, S.PROCESSING, S.FAILED}

PAYMENT_FLOW = Workflow(
    field="status",
    transitions={
        "require_action": Transition(
            sources={S.REQUIRES_PAYMENT_METHOD, S.FAILED, S.PROCESSING}, target=S.REQUIRES_ACTION
        ),
        "process": Transition(
            sources={S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_ACTION, S.FAILED}, target=S.PROCESSING
        ),
        "succeed": Transition(sources=OPEN, target=S.SUCCEEDED),
        "fail": Transition(sources=OPEN, target=S.FAILED),
        "cancel": Transition(sources=OPEN, target=S.CANCELED),
    },
)

# Stripe's PaymentIntent status -> our move (requires_confirmation and a
# requires_payment_method without an error mean "nothing happened yet": no move).
STRIPE_MOVES = {
    "requires_action": "require_action",
    "processing": "process",
    "requires_capture": "process",
    "succeeded": "succeed",
    "canceled": "cancel",
}
