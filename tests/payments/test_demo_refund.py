"""Issue 9's demo promise: an operator refunds one of the demo's paid orders in the back
office and the money goes back through localstripe. The demo's paid orders are paid through
localstripe when the demo seeds (``logistics/fulfilment/demo.py``: ``make seed`` and
``make run`` start it first), and the demo's localstripe keeps its store in a state file, so
``make run`` after ``make seed`` (a new process) still knows the intents."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse

from logistics.fulfilment.demo import STUCK_KEY, TRACKED_KEY
from marketplace.demo import OPERATOR_EMAIL
from orders.models import Order
from payments.models import Payment, Refund
from payments.provider import stripe_client
from tests.payments.localstripe import start_localstripe

pytestmark = pytest.mark.django_db


def test_an_operator_refunds_a_demo_order_in_the_back_office(
    localstripe, client_for, django_capture_on_commit_callbacks
):
    call_command("seed_demo")  # with localstripe up, as make seed and make run have it
    order = Order.objects.get(checkout__idempotency_key=TRACKED_KEY)
    payment = Payment.objects.get(reference=order.checkout.number)
    intent = stripe_client().v1.payment_intents.retrieve(payment.intent_id)
    assert (intent.status, intent.amount) == ("succeeded", int(order.total * 100))
    stuck = Payment.objects.get(
        reference=Order.objects.get(checkout__idempotency_key=STUCK_KEY).checkout.number
    )
    assert stripe_client().v1.payment_intents.retrieve(stuck.intent_id).status == "succeeded"
    # the stuck parcel's story keeps its time of payment, ten days ago
    assert stuck.paid_at < order.paid_at

    operator = client_for(_operator())  # the demo's ops@silkway.local
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            reverse("admin:orders_order_refund", args=[order.pk]),
            {"amount": "10.00", "reason": "演示：顾客反馈包装破损"},
            follow=True,
        )

    assert "Refund made: the money goes back to the card." in response.content.decode()
    refund = Refund.objects.get(payment=payment)
    assert (refund.status, refund.amount) == (Refund.Status.SUCCEEDED, Decimal("10.00"))
    at_localstripe = stripe_client().v1.refunds.retrieve(refund.provider_refund_id)
    assert (at_localstripe.status, at_localstripe.amount) == ("succeeded", 1000)  # fen
    order.refresh_from_db()
    assert order.refunded_total == Decimal("10.00")


def _operator():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(email=OPERATOR_EMAIL)


def test_the_demos_localstripe_keeps_its_payments_across_a_restart(tmp_path):
    """``make seed`` pays through one localstripe process, ``make run`` starts another on
    the same ``--state-file``: the intent (and so its refund) is still there."""
    state = tmp_path / "localstripe.pickle"
    auth = ("sk_test_silkway", "")
    first = start_localstripe(tmp_path / "first.log", state_file=state)
    try:
        intent = requests.post(
            f"{first.url}/v1/payment_intents",
            data={"amount": 8880, "currency": "cny"},
            auth=auth,
            timeout=5,
        ).json()
    finally:
        first.stop()
    second = start_localstripe(tmp_path / "second.log", state_file=state)
    try:
        again = requests.get(
            f"{second.url}/v1/payment_intents/{intent['id']}", auth=auth, timeout=5
        )
    finally:
        second.stop()
    assert again.status_code == 200 and again.json()["amount"] == 8880
    # without the state file (the tests' way) a restart starts empty
    third = start_localstripe(tmp_path / "third.log")
    try:
        gone = requests.get(f"{third.url}/v1/payment_intents/{intent['id']}", auth=auth, timeout=5)
    finally:
        third.stop()
    assert gone.status_code == 404
