"""Stripe's webhooks: real ones, sent and signed by localstripe to a live server, and the
same events posted again, late or forged."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from decimal import Decimal

import pytest
import requests
from django.test import Client

from marketplace.models import OutboxMessage
from marketplace.money import Money
from payments import services
from payments.models import Payment, StripeEvent
from payments.signals import payment_succeeded
from payments.testing import DECLINED, PAYS, THREE_D_SECURE, test_payment_method

WEBHOOK = "/payments/stripe/webhook/"


def sign(body: bytes, secret: str, *, at: int | None = None) -> str:
    """A Stripe-Signature header for ``body`` (Stripe's scheme: HMAC-SHA256 of
    ``"<t>.<body>"``), as localstripe and Stripe compute it."""
    at = at or int(time.time())
    digest = hmac.new(secret.encode(), b"%d." % at + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def post_event(url: str, body: bytes, signature: str) -> requests.Response:
    return requests.post(
        url,
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature},
        timeout=10,
    )


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def pay_at_stripe_only(localstripe, payment: Payment, number: str) -> None:
    """Pay the intent at localstripe (as Stripe.js would), without telling Silkway: only
    the webhook can."""
    auth = (localstripe.secret_key, "")
    method = test_payment_method(number)
    base = f"{localstripe.url}/v1/payment_intents/{payment.intent_id}"
    requests.post(base, data={"payment_method": method}, auth=auth, timeout=5).raise_for_status()
    requests.post(base + "/confirm", auth=auth, timeout=5).raise_for_status()


@pytest.fixture
def announced():
    seen = []

    def receiver(sender, payment, **kwargs):
        seen.append(payment.pk)

    payment_succeeded.connect(receiver)
    yield seen
    payment_succeeded.disconnect(receiver)


@pytest.mark.django_db(transaction=True)
def test_paid_by_card_the_webhook_marks_the_payment_paid_and_announces_it_once(
    stripe_webhooks, live_server, announced
):
    localstripe = stripe_webhooks
    payment = services.payment_start(
        reference=f"CHK-{uuid.uuid4().hex[:8]}",
        amount=Money(Decimal("250.00"), "CNY"),
        description="two orders",
        email="shopper@example.com",
    )
    pay_at_stripe_only(localstripe, payment, PAYS)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.REQUIRES_PAYMENT_METHOD

    # localstripe signs and sends payment_intent.succeeded to the live server
    event = wait_for(
        lambda: StripeEvent.objects.filter(
            type="payment_intent.succeeded", object_id=payment.intent_id, processed_at__isnull=False
        ).first()
    )
    paid = Payment.objects.get(pk=payment.pk)
    assert paid.status == Payment.Status.SUCCEEDED and paid.transaction_id.startswith("ch_")
    wait_for(lambda: announced)
    assert announced == [payment.pk]

    # the same event again (Stripe retries, an attacker replays): stored once, nothing new
    body = json.dumps(event.payload).encode()
    url = live_server.url + WEBHOOK
    again = post_event(url, body, sign(body, localstripe.webhook_secret))
    assert again.status_code == 200 and again.json()["deliveries"] == 2
    assert StripeEvent.objects.filter(event_id=event.event_id).count() == 1

    # an earlier failure arriving late (out of order): the payment stays paid
    late = {
        "id": "evt_" + uuid.uuid4().hex[:14],
        "object": "event",
        "type": "payment_intent.payment_failed",
        "created": event.payload["created"] - 5,
        "data": {
            "object": {
                **event.payload["data"]["object"],
                "status": "requires_payment_method",
                "last_payment_error": {"code": "card_declined", "message": "declined"},
            }
        },
    }
    body = json.dumps(late).encode()
    answer = post_event(url, body, sign(body, localstripe.webhook_secret))
    assert answer.status_code == 200
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    assert Payment.objects.get(pk=payment.pk).failure_code == ""
    assert list(paid.events.values_list("to_state", flat=True)) == ["succeeded"]
    time.sleep(1.5)  # whatever else localstripe sends (payment_intent.created) lands too
    assert announced == [payment.pk]
    assert OutboxMessage.objects.filter(kind=services.SUCCEEDED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_declined_card_and_a_3d_secure_card_arrive_by_webhook(stripe_webhooks, live_server):
    localstripe = stripe_webhooks
    declined = services.payment_start(
        reference=f"CHK-{uuid.uuid4().hex[:8]}",
        amount=Money("20.00", "USD"),
        description="",
        email="",
    )
    secure = services.payment_start(
        reference=f"CHK-{uuid.uuid4().hex[:8]}",
        amount=Money("30.00", "USD"),
        description="",
        email="",
    )
    pay_at_stripe_only(localstripe, declined, DECLINED)
    pay_at_stripe_only(localstripe, secure, THREE_D_SECURE)
    wait_for(lambda: Payment.objects.get(pk=declined.pk).status == Payment.Status.FAILED)
    assert Payment.objects.get(pk=declined.pk).failure_code == "card_declined"
    wait_for(lambda: Payment.objects.get(pk=secure.pk).status == Payment.Status.REQUIRES_ACTION)


@pytest.mark.django_db
def test_a_bad_signature_is_rejected_and_nothing_is_stored(localstripe):
    body = json.dumps(
        {
            "id": "evt_forged",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "data": {"object": {"id": "pi_x"}},
        }
    ).encode()
    client = Client()
    for signature in (
        "",
        sign(body, "whsec_not_ours"),
        "t=1,v1=00",
        sign(body, localstripe.webhook_secret, at=int(time.time()) - 3600),
    ):
        response = client.post(
            WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
        )
        assert response.status_code == 400, signature
        assert response.json()["error"]["code"] == "webhook_signature"
    # a body changed after signing
    signature = sign(body, localstripe.webhook_secret)
    response = client.post(
        WEBHOOK,
        data=body.replace(b"pi_x", b"pi_y"),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()

    # the same body, signed with our secret, is taken (an intent we do not know: stored, ignored)
    response = client.post(
        WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "unknown payment intent"
    assert StripeEvent.objects.get().event_id == "evt_forged"


@pytest.mark.django_db
def test_the_webhook_needs_no_session_or_csrf_and_answers_only_post(localstripe):
    client = Client(enforce_csrf_checks=True)
    body = b'{"id": "evt_1", "type": "ping", "object": "event", "data": {"object": {}}}'
    response = client.post(
        WEBHOOK,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, localstripe.webhook_secret),
    )
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert "sessionid" not in response.cookies
    assert client.get(WEBHOOK).status_code == 405


@pytest.mark.django_db
def test_the_webhook_is_throttled(localstripe, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"stripe_webhook": "3/min"})
    client = Client()
    answers = [
        client.post(WEBHOOK, data=b"{}", content_type="application/json").status_code
        for _ in range(4)
    ]
    assert answers == [400, 400, 400, 429]
