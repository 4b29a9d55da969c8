"""Payments against a real localstripe (tests/payments/localstripe.py), through the official
SDK: starting a payment, paying, declines, 3-D Secure, refunds, raw records for customs and
the encrypted payer identity. Webhooks are in test_webhooks.py."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
import requests
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from marketplace.money import Money
from payments import selectors, services
from payments.models import Payment, Refund
from payments.signals import payment_failed, payment_succeeded, refund_succeeded
from payments.testing import DECLINED, PAYS, THREE_D_SECURE, pay_with_test_card

pytestmark = pytest.mark.django_db


def reference() -> str:
    return f"CHK-{uuid.uuid4().hex[:10].upper()}"


def start(amount="123.45", currency="CNY", **kwargs) -> Payment:
    return services.payment_start(
        reference=kwargs.pop("reference", None) or reference(),
        amount=Money(Decimal(amount), currency),
        description=kwargs.pop("description", "Silkway checkout"),
        email=kwargs.pop("email", "shopper@example.com"),
        **kwargs,
    )


def intent(localstripe, intent_id: str) -> dict:
    response = requests.get(
        f"{localstripe.url}/v1/payment_intents/{intent_id}",
        auth=(localstripe.secret_key, ""),
        timeout=5,
    )
    response.raise_for_status()
    return response.json()


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


@pytest.fixture
def received():
    """What the signals delivered (receivers as orders would connect them)."""
    seen: dict[str, list] = {"succeeded": [], "failed": [], "refunded": []}

    def on_paid(sender, payment, **kwargs):
        seen["succeeded"].append(payment.pk)

    def on_failed(sender, payment, **kwargs):
        seen["failed"].append(payment.pk)

    def on_refund(sender, refund, **kwargs):
        seen["refunded"].append(refund.pk)

    payment_succeeded.connect(on_paid)
    payment_failed.connect(on_failed)
    refund_succeeded.connect(on_refund)
    yield seen
    payment_succeeded.disconnect(on_paid)
    payment_failed.disconnect(on_failed)
    refund_succeeded.disconnect(on_refund)


def test_start_creates_one_intent_in_minor_units_and_the_currency(localstripe):
    payment = start("123.45", "CNY")
    remote = intent(localstripe, payment.intent_id)
    assert remote["amount"] == 12345 and remote["currency"] == "cny"
    assert remote["metadata"]["reference"] == payment.reference
    assert payment.status == Payment.Status.REQUIRES_PAYMENT_METHOD
    assert payment.client_secret.startswith(payment.intent_id + "_secret_")
    assert payment.amount == Decimal("123.45") and payment.currency == "CNY"

    # a zero-decimal currency is sent as it is counted (JPY has no minor unit)
    yen = start("1500", "JPY")
    assert intent(localstripe, yen.intent_id)["amount"] == 1500


def test_a_second_start_for_the_same_checkout_returns_the_same_payment(localstripe):
    first = start(reference="CHK-TWICE-" + uuid.uuid4().hex[:6])
    again = start(reference=first.reference)
    assert again.pk == first.pk and again.intent_id == first.intent_id
    assert Payment.objects.filter(reference=first.reference).count() == 1

    with pytest.raises(ValidationError) as refused:
        start("99.00", reference=first.reference)
    assert codes(refused.value) == {"payment_amount_changed"}


def test_a_payment_for_nothing_is_refused(localstripe):
    with pytest.raises(ValidationError) as refused:
        start("0.001")
    assert codes(refused.value) == {"payment_amount_positive"}
    assert not Payment.objects.exists()


def test_paying_with_a_test_card_succeeds_and_announces_once(
    localstripe, received, django_capture_on_commit_callbacks
):
    payment = start("88.00")
    with django_capture_on_commit_callbacks(execute=True):
        paid = pay_with_test_card(payment, PAYS)
    assert paid.status == Payment.Status.SUCCEEDED
    assert paid.transaction_id.startswith("ch_") and paid.paid_at is not None
    assert received["succeeded"] == [payment.pk]
    # the return page asks again: nothing changes, nothing is announced twice
    with django_capture_on_commit_callbacks(execute=True):
        synced = services.payment_sync(payment=paid)
    assert synced.status == Payment.Status.SUCCEEDED
    assert received["succeeded"] == [payment.pk]
    assert [e.to_state for e in paid.events.all()] == ["succeeded"]


def test_a_declined_card_fails_with_the_reason_in_the_shoppers_language(
    localstripe, received, django_capture_on_commit_callbacks
):
    payment = start("20.00")
    with django_capture_on_commit_callbacks(execute=True):
        failed = pay_with_test_card(payment, DECLINED)
    assert failed.status == Payment.Status.FAILED
    assert failed.failure_code == "card_declined"
    assert received["failed"] == [payment.pk]
    with translation.override("en"):
        assert selectors.failure_message(failed) == (
            "Your card was declined. Please use another card or contact your bank."
        )
    with translation.override("zh-hans"):
        assert selectors.failure_message(failed) == "您的银行卡被拒绝。请换一张卡或联系发卡银行。"

    # the shopper tries another card on the same intent: paid after all
    with django_capture_on_commit_callbacks(execute=True):
        paid = pay_with_test_card(failed, PAYS)
    assert paid.status == Payment.Status.SUCCEEDED
    assert selectors.failure_message(paid) == ""
    assert received["succeeded"] == [payment.pk]


@pytest.mark.parametrize(
    ("code", "english", "chinese"),
    [
        (
            "insufficient_funds",
            "Your card has insufficient funds. Please use another card.",
            "您的银行卡余额不足。请换一张卡。",
        ),
        (
            "payment_intent_authentication_failure",
            "Your bank could not verify this payment (3-D Secure). Please try again or use another card.",
            "您的银行未能验证此次支付（3-D Secure）。请重试或换一张卡。",
        ),
        (
            "something_new",
            "Your card was declined. Please use another card or contact your bank.",
            "您的银行卡被拒绝。请换一张卡或联系发卡银行。",
        ),
    ],
)
def test_decline_codes_read_in_both_languages(code, english, chinese):
    payment = Payment(failure_code=code)
    with translation.override("en"):
        assert selectors.failure_message(payment) == english
    with translation.override("zh-hans"):
        assert selectors.failure_message(payment) == chinese


def test_a_3d_secure_card_waits_for_authentication(localstripe, received):
    payment = start("66.00")
    waiting = pay_with_test_card(payment, THREE_D_SECURE)
    assert waiting.status == Payment.Status.REQUIRES_ACTION
    assert intent(localstripe, payment.intent_id)["status"] == "requires_action"
    assert received == {"succeeded": [], "failed": [], "refunded": []}

    # the shopper fails the bank's check (what localstripe's Stripe.js modal posts)
    requests.post(
        f"{localstripe.url}/v1/payment_intents/{payment.intent_id}/_authenticate?success=false",
        json={"key": localstripe.publishable_key, "client_secret": payment.client_secret},
        timeout=5,
    ).raise_for_status()
    failed = services.payment_sync(payment=waiting)
    assert failed.status == Payment.Status.FAILED
    assert failed.failure_code == "payment_intent_authentication_failure"
    with translation.override("zh-hans"):
        assert "3-D Secure" in selectors.failure_message(failed)


def paid_payment(amount="100.00") -> Payment:
    return pay_with_test_card(start(amount), PAYS)


def test_refunds_full_and_partial_never_more_than_paid(
    localstripe, received, django_capture_on_commit_callbacks
):
    payment = paid_payment("100.00")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.payment_refund(
            payment=payment, amount=Money("30.00", "CNY"), reference="ORD-1", reason="damaged"
        )
    assert first.status == Refund.Status.SUCCEEDED
    assert first.provider_refund_id.startswith("re_")
    assert first.raw_response["amount"] == 3000
    assert received["refunded"] == [first.pk]
    # the same refund asked again (a retried request) is the same refund
    again = services.payment_refund(
        payment=payment, amount=Money("30.00", "CNY"), reference="ORD-1"
    )
    assert again.pk == first.pk and Refund.objects.count() == 1
    assert selectors.payment_refundable(payment) == Money("70.00", "CNY")

    with pytest.raises(ValidationError) as refused:
        services.payment_refund(payment=payment, amount=Money("70.01", "CNY"), reference="ORD-2")
    assert codes(refused.value) == {"refund_exceeds_payment"}
    assert "70.00" in str(refused.value)
    assert Refund.objects.count() == 1

    rest = services.payment_refund(payment=payment, amount=Money("70.00", "CNY"), reference="ORD-2")
    assert rest.status == Refund.Status.SUCCEEDED
    assert selectors.payment_refundable(payment) == Money("0.00", "CNY")
    with pytest.raises(ValidationError) as refused:
        services.payment_refund(payment=payment, amount=Money("0.01", "CNY"), reference="ORD-3")
    assert codes(refused.value) == {"refund_exceeds_payment"}


def test_a_refund_in_full_at_once(localstripe):
    payment = paid_payment("45.50")
    refund = services.payment_refund(payment=payment, amount=payment.money, reference="ORD-9")
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount == Decimal("45.50")
    assert selectors.payment_refundable(payment).amount == 0


def test_refunds_of_an_unpaid_payment_or_in_another_currency_are_refused(localstripe):
    unpaid = start("10.00")
    with pytest.raises(ValidationError) as refused:
        services.payment_refund(payment=unpaid, amount=Money("1.00", "CNY"), reference="ORD-1")
    assert codes(refused.value) == {"payment_not_paid"}
    paid = paid_payment("10.00")
    with pytest.raises(ValidationError) as refused:
        services.payment_refund(payment=paid, amount=Money("1.00", "USD"), reference="ORD-1")
    assert codes(refused.value) == {"refund_currency"}
    with pytest.raises(ValidationError) as refused:
        services.payment_refund(payment=paid, amount=Money("0", "CNY"), reference="ORD-1")
    assert codes(refused.value) == {"refund_amount_positive"}
    assert not Refund.objects.exists()


def test_china_imports_keep_the_raw_exchanges_and_the_identity_encrypted(localstripe):
    payment = start(
        "199.00",
        payer_name="张三",
        payer_id_number="110101199003071234",
        keep_raw=True,
    )
    payment = pay_with_test_card(payment, PAYS)
    exchanges = payment.raw_exchanges
    create = exchanges[0]
    assert create["request"]["method"] == "POST"
    assert create["request"]["url"].endswith("/v1/payment_intents")
    assert "amount=19900" in create["request"]["body"]  # as encoded on the wire
    assert "authorization" not in {k.lower() for k in create["request"]["headers"]}
    assert create["request"]["headers"]["Idempotency-Key"].startswith("payment:")
    assert json.loads(create["response"]["body"])["id"] == payment.intent_id
    assert create["response"]["status"] == 200
    # the confirmation and the charge it made are there too
    last = json.loads(exchanges[-1]["response"]["body"])
    assert last["status"] == "succeeded"
    assert payment.keep_until is not None
    assert (payment.keep_until - payment.paid_at).days >= 3 * 365

    assert payment.payer_id_masked == "1*************1234"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT payer_name, payer_id_number FROM payments_payment WHERE id = %s", [payment.pk]
        )
        name_column, id_column = cursor.fetchone()
    assert "110101199003071234" not in id_column and "1234" not in id_column[-4:]
    assert "张三" not in name_column
    fresh = Payment.objects.get(pk=payment.pk)
    assert fresh.payer_id_number == "110101199003071234" and fresh.payer_name == "张三"
    assert Payment.objects.filter(payer_id_digest=fresh.payer_id_digest).count() == 1


def test_a_payment_without_keep_raw_keeps_no_raw_records(localstripe):
    payment = pay_with_test_card(start("12.00"), PAYS)
    assert payment.raw_exchanges == [] and payment.keep_until is None


def test_raw_records_past_their_retention_are_purged(localstripe):
    import datetime

    from django.utils import timezone

    payment = start("12.00", keep_raw=True)
    assert payment.raw_exchanges
    assert services.payment_raw_purge() == 0
    later = timezone.now() + datetime.timedelta(days=3 * 365 + 2)
    assert services.payment_raw_purge(now=later) == 1
    payment.refresh_from_db()
    assert payment.raw_exchanges == []


def test_an_unpaid_payment_can_be_cancelled_and_then_not_paid(localstripe):
    payment = start("30.00")
    cancelled = services.payment_cancel(payment=payment, reason="checkout expired")
    assert cancelled.status == Payment.Status.CANCELED
    assert intent(localstripe, payment.intent_id)["status"] == "canceled"
    with pytest.raises(ValidationError) as refused:
        services.payment_refund(payment=cancelled, amount=Money("1.00", "CNY"), reference="O")
    assert codes(refused.value) == {"payment_not_paid"}


def test_stripe_js_comes_from_the_configured_provider_and_the_csp_allows_it(localstripe, client):
    from django.conf import settings

    assert f"{localstripe.url}/js.stripe.com/v3/" == settings.STRIPE_JS_URL
    script = requests.get(settings.STRIPE_JS_URL, timeout=5)
    assert script.status_code == 200 and "localstripe" in script.text
    header = client.get("/en/accounts/login/")["Content-Security-Policy"]
    rules = {name: values for name, *values in (p.split() for p in header.split(";") if p.strip())}
    assert localstripe.url in rules["script-src"] and localstripe.url in rules["connect-src"]
