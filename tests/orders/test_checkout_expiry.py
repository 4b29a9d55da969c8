"""Expiry: a checkout not paid in time gives its stock back and its orders are cancelled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from catalog.models import Stock, StockAdjustment
from orders.models import Allocation, Checkout, Order, OrderEvent
from orders.services import checkouts_expire
from orders.tasks import checkouts_expire as checkouts_expire_task
from tests.orders.checkout_helpers import place, shopper_with

pytestmark = pytest.mark.django_db


def test_an_unpaid_checkout_expires_releases_its_stock_and_cancels_its_orders(world):
    user, cart = shopper_with((world.honey, 3), (world.balm, 2))
    checkout = place(user, cart)
    assert checkouts_expire() == 0  # not yet
    later = checkout.expires_at + timedelta(seconds=1)
    assert checkouts_expire(now=later) == 1
    checkout.refresh_from_db()
    assert checkout.status == Checkout.Status.EXPIRED
    for order in checkout.orders.all():
        assert order.status == Order.Status.CANCELLED
        event = OrderEvent.objects.get(subject=order)
        assert (event.transition, event.from_state, event.to_state) == (
            "cancel",
            "awaiting_payment",
            "cancelled",
        )
        assert "expired" in event.reason
    assert set(Allocation.objects.values_list("status", flat=True)) == {"released"}
    assert not Allocation.objects.filter(expires_at__isnull=False).exists()
    for name in ("honey", "balm"):
        stock = Stock.objects.get(pk=world.stock[name].pk)
        assert stock.reserved == 0
    assert StockAdjustment.objects.filter(reason="release").count() == 2
    # running again changes nothing
    assert checkouts_expire(now=later + timedelta(minutes=5)) == 0
    assert OrderEvent.objects.count() == 2


def test_the_beat_task_runs_every_minute_and_expires(world):
    schedule = settings.CELERY_BEAT_SCHEDULE["expire-checkouts"]
    assert schedule["task"] == "orders.tasks.checkouts_expire" and schedule["schedule"] == 60.0
    user, cart = shopper_with((world.balm, 1))
    checkout = place(user, cart)
    Checkout.objects.filter(pk=checkout.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert checkouts_expire_task.delay().get() == 1
    assert Stock.objects.get(pk=world.stock["balm"].pk).reserved == 0


def test_released_units_can_be_bought_again(world):
    first, cart = shopper_with((world.balm, 6))  # all of it
    checkout = place(first, cart)
    second, theirs = shopper_with()
    from django.core.exceptions import ValidationError

    from orders.services import cart_add

    with pytest.raises(ValidationError):
        cart_add(cart=theirs, sku_id=world.balm.pk, quantity=1, destination="CN")
    checkouts_expire(now=checkout.expires_at)
    cart_add(cart=theirs, sku_id=world.balm.pk, quantity=6, destination="CN")
    assert place(second, theirs).orders.get().lines.get().quantity == 6
