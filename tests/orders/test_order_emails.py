"""Order emails go out through the outbox on the notifications queue, in the language the
shopper checked out in, once per order and kind (once per refund)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction

from marketplace.models import OutboxMessage
from marketplace.outbox import handler_for, outbox_deliver
from orders.models import OrderEmail
from orders.notifications import ORDER_EMAIL, enqueue_order_email
from orders.outbox import send_order_email
from tests.factories import CheckoutFactory, OrderFactory

pytestmark = pytest.mark.django_db


def enqueue(capture, order, kind, **kwargs):
    with capture(execute=True), transaction.atomic():
        enqueue_order_email(order, kind, **kwargs)


def test_the_payment_email_in_chinese_links_to_the_order(django_capture_on_commit_callbacks):
    order = OrderFactory(checkout=CheckoutFactory(language="zh-hans"))
    enqueue(django_capture_on_commit_callbacks, order, "paid")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [order.checkout.email]
    assert order.number in message.subject and "已收到" in message.subject
    assert "麦卢卡蜂蜜 500克" in message.body and "¥237.11" in message.body
    assert f"http://testserver/zh-hans/account/orders/{order.number}/" in message.body
    assert handler_for(ORDER_EMAIL).queue == "notifications"


def test_cancellation_and_refund_emails_in_english(django_capture_on_commit_callbacks):
    order = OrderFactory(checkout=CheckoutFactory(language="en", currency="USD"), currency="USD")
    enqueue(django_capture_on_commit_callbacks, order, "cancelled")
    enqueue(
        django_capture_on_commit_callbacks, order, "refunded", refund=7, amount=Decimal("12.50")
    )
    enqueue(django_capture_on_commit_callbacks, order, "refunded", refund=8, amount=Decimal("3.00"))
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        f"Order {order.number} is cancelled",
        f"Refund for order {order.number}",
        f"Refund for order {order.number}",
    ]
    assert "We refunded $12.50" in mail.outbox[1].body
    assert "We refunded $3.00" in mail.outbox[2].body


def test_each_email_is_sent_once(django_capture_on_commit_callbacks):
    order = OrderFactory()
    enqueue(django_capture_on_commit_callbacks, order, "paid")
    enqueue(django_capture_on_commit_callbacks, order, "paid")  # a retried service: same key
    assert OutboxMessage.objects.filter(kind=ORDER_EMAIL).count() == 1
    message = OutboxMessage.objects.get(kind=ORDER_EMAIL)
    # a second delivery (a worker killed after sending, before marking) mails nothing
    assert not send_order_email(dict(message.payload))
    assert outbox_deliver(message_id=message.pk) == "skipped"
    assert len(mail.outbox) == 1
    assert OrderEmail.objects.filter(order=order, kind="paid").count() == 1


def test_nothing_is_sent_when_the_change_rolls_back(django_capture_on_commit_callbacks):
    order = OrderFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_order_email(order, "paid")
        raise RuntimeError("the payment's transaction failed")
    assert not OutboxMessage.objects.filter(kind=ORDER_EMAIL).exists()
    assert mail.outbox == []


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        enqueue_order_email(OrderFactory(), "shipped-by-pigeon")
