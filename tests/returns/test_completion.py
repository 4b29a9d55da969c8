"""Order completion (docs/ORDERS.md, "Completion"): a delivered order completes once its
merchant's return window has elapsed with no return still open — beat's
``returns.orders_complete_due`` — and completing earns the shopper's points and confirms the
distributor's frozen commission. Real flow: placed, paid on localstripe, packed, shipped,
delivered; time travels through the service's explicit ``now``."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from logistics.returns.models import ReturnPolicy
from logistics.returns.services import (
    orders_complete_due,
    return_approve,
    return_decline,
    return_receive,
    return_request_create,
)
from logistics.returns.tasks import orders_complete_due as orders_complete_due_task
from marketing.distribution.ledger import balance, reward_account
from marketing.distribution.models import Commission, LedgerEntry
from marketing.distribution.services import distributor_signup, share_click_record
from marketing.models import Referral
from marketing.points.services import points_balance
from orders.flow import ORDER_FLOW
from orders.models import Order, OrderEvent
from tests.factories import UserFactory
from tests.orders.checkout_helpers import place, shopper_with

pytestmark = pytest.mark.django_db
D = Decimal
B = LedgerEntry.Bucket


@pytest.fixture
def delivered(world, localstripe, pay):
    """A shopper who came through a distributor's link; their order of 3 lip balms from Kiwi
    Nature (return window 10 days), paid and delivered now."""
    ReturnPolicy.objects.create(merchant=world.kiwi, window_days=10)
    distributor = distributor_signup(user=UserFactory())
    user, cart = shopper_with((world.balm, 3))
    share_click_record(code=distributor.code, user=user)
    checkout = place(user, cart)
    pay(checkout)
    order = checkout.orders.get()
    for move in ("pack", "ship", "deliver"):
        ORDER_FLOW.apply(order, move, by=None, event_model=OrderEvent)
    return user, order, distributor


def paid_for_goods(order: Order) -> Decimal:
    return sum((line.line_total - line.discount for line in order.lines.all()), D(0))


def test_an_order_completes_when_its_return_window_ends_earning_points_and_commission(
    delivered, deliver
):
    user, order, distributor = delivered
    now = timezone.now()
    assert deliver(orders_complete_due, now=now + timedelta(days=9)) == 0  # window still open
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED
    assert points_balance(user.pk) == 0
    assert Commission.objects.filter(order_id=order.pk, status="frozen").exists()
    assert Referral.objects.get(distributor=distributor).status == Referral.Status.PENDING

    assert deliver(orders_complete_due, now=now + timedelta(days=10, minutes=1)) == 1

    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    event = OrderEvent.objects.get(subject=order, transition="complete")
    assert (event.from_state, event.to_state) == ("delivered", "completed")
    assert points_balance(user.pk) == int(paid_for_goods(order)) > 0  # 1 point per yuan
    assert set(Commission.objects.filter(order_id=order.pk).values_list("status", flat=True)) == {
        "confirmed"
    }
    account = reward_account(distributor.user)
    assert balance(account.pk, "CNY", B.PENDING) == 0
    assert balance(account.pk, "CNY", B.AVAILABLE) > 0
    # the distributor's referral turns confirmed with its commission (it had no caller)
    assert Referral.objects.get(distributor=distributor).status == Referral.Status.CONFIRMED
    # idempotent: the next run finds nothing to do, and nothing is earned twice
    assert deliver(orders_complete_due, now=now + timedelta(days=30)) == 0
    assert points_balance(user.pk) == int(paid_for_goods(order))


def test_an_open_return_holds_completion_until_it_is_declined(delivered, deliver):
    user, order, _distributor = delivered
    line = order.lines.get()
    request = return_request_create(order=order, by=user, lines={line.pk: 1}, reason="too small")
    later = timezone.now() + timedelta(days=11)

    assert deliver(orders_complete_due, now=later) == 0
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED

    return_decline(request=request, by=None, reason="opened and used")
    assert deliver(orders_complete_due, now=later) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


def test_returned_goods_earn_no_points(delivered, deliver):
    user, order, _distributor = delivered
    line = order.lines.get()
    request = return_request_create(order=order, by=user, lines={line.pk: 1}, reason="too many")
    request = return_approve(request=request, by=None)
    returned = request.lines.get()
    deliver(return_receive, request=request, by=None, outcomes={returned.pk: "restock"})
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED and order.refunded_total > 0

    assert deliver(orders_complete_due, now=timezone.now() + timedelta(days=11)) == 1

    order.refresh_from_db()
    kept = (order.total - order.refunded_total) / order.total
    assert points_balance(user.pk) == int(paid_for_goods(order) * kept)
    assert points_balance(user.pk) < int(paid_for_goods(order))


def test_a_fully_returned_order_never_completes(delivered, deliver):
    user, order, _distributor = delivered
    line = order.lines.get()
    request = return_approve(
        request=return_request_create(order=order, by=user, lines={line.pk: 3}, reason="no"),
        by=None,
    )
    deliver(return_receive, request=request, by=None, outcomes={request.lines.get().pk: "restock"})
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED

    assert deliver(orders_complete_due, now=timezone.now() + timedelta(days=11)) == 0
    assert points_balance(user.pk) == 0


def test_beat_runs_the_completion_task_hourly(delivered):
    entry = settings.CELERY_BEAT_SCHEDULE["orders-complete-due"]
    assert entry["task"] == "returns.orders_complete_due" and entry["schedule"] == 3600.0
    _user, order, _distributor = delivered
    assert orders_complete_due_task.delay().get() == 0  # delivered just now: not due
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED
