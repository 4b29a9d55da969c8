"""The back office shows payments (masked identity, refunds, history) and Stripe's events,
read-only, to operators only."""

from __future__ import annotations

import pytest

from marketplace.money import Money
from payments import services
from payments.testing import PAYS, pay_with_test_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(localstripe):
    payment = services.payment_start(
        reference="CHK-ADMIN-1",
        amount=Money("50.00", "CNY"),
        description="admin",
        email="shopper@example.com",
        payer_name="李四",
        payer_id_number="110101199003071234",
    )
    payment = pay_with_test_card(payment, PAYS)
    services.payment_refund(payment=payment, amount=Money("5.00", "CNY"), reference="ORD-77")
    return payment


def test_operators_see_payments_masked_with_refunds_and_history(
    paid, operator, client_for, django_assert_max_num_queries
):
    ops = client_for(operator)
    with django_assert_max_num_queries(12):
        listing = ops.get("/en/ops/payments/payment/")
    assert listing.status_code == 200 and "CHK-ADMIN-1" in listing.content.decode()
    page = ops.get(f"/en/ops/payments/payment/{paid.pk}/change/").content.decode()
    assert "1*************1234" in page and "110101199003071234" not in page
    assert "李四" not in page  # the name stays encrypted too
    assert "ORD-77" in page and paid.transaction_id in page
    assert ops.get("/zh-hans/ops/payments/payment/").status_code == 200
    assert ops.get("/en/ops/payments/stripeevent/").status_code == 200
    assert ops.get("/en/ops/payments/payment/add/").status_code == 403


def test_shoppers_do_not_reach_the_payments_screens(paid, user, client_for):
    response = client_for(user).get("/en/ops/payments/payment/")
    assert response.status_code == 302 and "/ops/login/" in response["Location"]
