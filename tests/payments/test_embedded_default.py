"""``make run``'s promise for payments: on the embedded default (SQLite, tasks in process,
no Stripe key set) the SDK talks to localstripe on ``LOCALSTRIPE_PORT`` with the demo's
test keys, and a payment is made, announced and refunded. Runs in a process of its own with
none of the test environment, against a real localstripe (as ``make run`` starts it)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.payments.localstripe import start_localstripe
from tests.processes import embedded_default_env, manage

PURCHASE = """
from django.conf import settings
from django.db import connection
from marketplace.money import Money
from payments import services
from payments.models import Payment
from payments.signals import payment_succeeded
from payments.testing import pay_with_test_card

assert connection.vendor == "sqlite", connection.vendor
assert settings.STRIPE_SECRET_KEY == "sk_test_localstripe", settings.STRIPE_SECRET_KEY
seen = []
payment_succeeded.connect(lambda sender, payment, **kw: seen.append(payment.pk), weak=False)
payment = services.payment_start(reference="CHK-DEMO-1", amount=Money("88.80", "CNY"),
                                 description="demo", email="shopper@example.com",
                                 payer_name="张三", payer_id_number="110101199003071234",
                                 keep_raw=True)
payment = pay_with_test_card(payment)
assert payment.status == Payment.Status.SUCCEEDED, payment.status
assert seen == [payment.pk], seen
refund = services.payment_refund(payment=payment, amount=Money("8.80", "CNY"), reference="ORD-1")
assert refund.status == "succeeded", refund.status
print("purchase ok", settings.STRIPE_API_BASE)
"""


@pytest.mark.timeout(300)
def test_the_demo_pays_through_localstripe_on_the_embedded_default(tmp_path):
    server = start_localstripe(tmp_path / "localstripe.log")
    try:
        env = embedded_default_env(
            tmp_path,
            drop=("STRIPE_", "SECRET_KEY", "DEBUG"),
            LOCALSTRIPE_PORT=str(urlsplit(server.url).port),
        )
        manage(env, "migrate", "--noinput", "-v", "0", timeout=250)
        assert f"purchase ok {server.url}" in manage(env, "shell", "-c", PURCHASE, timeout=250)
    finally:
        server.stop()
