"""Points: the append-only ledger (balance = sum, never below zero), the redemption cap and
its non-cash nature at checkout (duties unchanged), expiry, the give-back of an unpaid
checkout, earning on completion and the reversal on a later refund, and two redemptions of
one balance racing on the real PostgreSQL."""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from marketing.models import PointsEntry, PointsRate
from marketing.points.services import (
    EarnLine,
    points_balance,
    points_earn,
    points_expire,
    points_give_back,
    points_redeem,
    points_reverse,
)
from orders.models import Order
from orders.services import checkouts_expire
from orders.services.completion import order_complete
from tests.factories import UserFactory
from tests.orders.checkout_helpers import place, shopper_with

D = Decimal
K = PointsEntry.Kind


def give(user, points: int, *, ref: str = "seed", now=None) -> None:
    """Credit ``points`` through the earning rule (1 point per yuan by default)."""
    assert (
        points_earn(
            user_id=user.pk,
            order_number=ref,
            lines=[EarnLine(merchant_id=0, category_id=None, paid=D(points))],
            kept=D(1),
            now=now,
        )
        == points
    )


@pytest.mark.django_db
def test_the_ledger_never_goes_below_zero_and_the_balance_is_the_sum():
    user = UserFactory()
    rng = random.Random(12)
    now = timezone.now()
    for step in range(120):
        op = rng.choice(["earn", "redeem", "redeem", "give_back", "expire", "reverse"])
        if op == "earn":
            points_earn(
                user_id=user.pk,
                order_number=f"O{step}",
                lines=[EarnLine(0, None, D(rng.randint(1, 300)))],
                kept=D(1),
                now=now - timedelta(days=rng.choice([0, 400])),
            )
        elif op == "redeem":
            try:
                with transaction.atomic():
                    points_redeem(user=user, points=rng.randint(1, 400), checkout_number=f"C{step}")
            except ValidationError as exc:
                assert exc.error_dict["points"][0].code == "points_used_meanwhile"
        elif op == "give_back":
            refs = list(
                PointsEntry.objects.filter(kind=K.REDEEM).values_list("reference", flat=True)
            )
            if refs:
                points_give_back(checkout_number=rng.choice(refs))
        elif op == "expire":
            points_expire(now=now + timedelta(seconds=step))
        else:
            refs = list(PointsEntry.objects.filter(kind=K.EARN).values_list("reference", flat=True))
            if refs:
                points_reverse(
                    order_number=rng.choice(refs),
                    refund_key=f"R{step}",
                    lines=[EarnLine(0, None, D(10))],
                    kept=D(0),
                )
        balance = points_balance(user.pk)
        assert balance >= 0
        assert balance == sum(
            PointsEntry.objects.filter(user=user).values_list("points", flat=True)
        )
    # every kind was exercised, each sign as the constraint says
    assert set(PointsEntry.objects.values_list("kind", flat=True)) == set(K.values)


@pytest.mark.django_db
def test_a_repeated_earning_or_give_back_writes_nothing():
    user = UserFactory()
    give(user, 100, ref="SW1")
    assert (
        points_earn(
            user_id=user.pk, order_number="SW1", lines=[EarnLine(0, None, D(100))], kept=D(1)
        )
        == 0
    )
    points_redeem(user=user, points=30, checkout_number="CK1")
    assert points_give_back(checkout_number="CK1") == 30
    assert points_give_back(checkout_number="CK1") == 0
    assert points_balance(user.pk) == 100


@pytest.mark.django_db
def test_points_are_a_non_cash_deduction_capped_at_twenty_percent(world, settings):
    settings.POINTS_MAX_SHARE = "0.20"
    plain_user, plain_cart = shopper_with((world.honey, 2))
    plain = place(plain_user, plain_cart, key="plain").orders.get()
    user, cart = shopper_with((world.honey, 2))
    give(user, 10_000)

    checkout = place(user, cart, points=10_000)

    order = checkout.orders.get()
    # 398.00 of goods: at most 20 % = 79.60 = 7,960 points at 100 points per yuan
    assert order.discount_total == D("79.60")
    assert order.duty_total == plain.duty_total  # the taxes did not fall
    assert order.total == plain.total - D("79.60")
    assert points_balance(user.pk) == 10_000 - 7_960
    assert PointsEntry.objects.get(user=user, kind=K.REDEEM).reference == checkout.number


@pytest.mark.django_db
def test_more_points_than_the_balance_are_refused(world):
    user, cart = shopper_with((world.honey, 1))
    give(user, 50)
    with pytest.raises(ValidationError) as caught:
        place(user, cart, points=51)
    assert caught.value.error_dict["points"][0].code == "points_over_balance"
    assert points_balance(user.pk) == 50


@pytest.mark.django_db
def test_an_expired_or_cancelled_unpaid_checkout_gives_its_points_back(world):
    from orders.services import order_cancel_by_shopper

    user, cart = shopper_with((world.honey, 1))
    give(user, 1_000)
    checkout = place(user, cart, points=1_000)
    assert points_balance(user.pk) == 0
    checkouts_expire(now=checkout.expires_at + timedelta(seconds=1))
    assert points_balance(user.pk) == 1_000

    user2, cart2 = shopper_with((world.honey, 1))
    give(user2, 500)
    checkout2 = place(user2, cart2, points=500)
    order_cancel_by_shopper(order=checkout2.orders.get(), by=user2, reason="changed my mind")
    assert points_balance(user2.pk) == 500
    kinds = list(PointsEntry.objects.filter(user=user2).values_list("kind", flat=True))
    assert sorted(kinds) == ["earn", "give_back", "redeem"]  # rows added, none changed


@pytest.mark.django_db
def test_points_expire_after_their_period_oldest_first(settings):
    settings.POINTS_EXPIRE_DAYS = 365
    user = UserFactory()
    now = timezone.now()
    give(user, 300, ref="old", now=now - timedelta(days=400))
    give(user, 200, ref="new", now=now - timedelta(days=10))
    points_redeem(user=user, points=100, checkout_number="CK1")  # spends the oldest first

    assert points_expire(now=now) == 200
    assert points_expire(now=now) == 0  # a second run finds nothing due
    assert points_balance(user.pk) == 200
    expiry = PointsEntry.objects.get(user=user, kind=K.EXPIRE)
    assert expiry.points == -200


@pytest.mark.django_db
def test_a_completed_order_earns_and_a_later_refund_reverses_proportionally(
    world, localstripe, pay, deliver
):
    from orders.services import order_refund

    PointsRate.objects.create(merchant=world.kiwi, points_per_yuan=D("2"))
    user, cart = shopper_with((world.honey, 2))
    checkout = place(user, cart)
    pay(checkout)
    order = checkout.orders.get()
    assert points_balance(user.pk) == 0
    Order.objects.filter(pk=order.pk).update(status=Order.Status.DELIVERED)
    order.refresh_from_db()

    deliver(order_complete, order=order, by=None)

    earned = int((order.goods_total - order.discount_total) * 2)  # the merchant's 2 per yuan
    assert points_balance(user.pk) == earned == 796
    order.refresh_from_db()
    half = (order.total / 2).quantize(D("0.01"))
    deliver(order_refund, order=order, amount=_money(half, order.currency), by=None, reason="half")
    order.refresh_from_db()
    kept = (order.total - order.refunded_total) / order.total
    assert points_balance(user.pk) == int(D(earned) * kept)
    deliver(order_refund, order=order, amount=None, by=None, reason="the rest")
    assert points_balance(user.pk) == 0
    assert PointsEntry.objects.filter(user=user, kind=K.REVERSE).count() == 2


@pytest.mark.django_db
def test_an_order_refunded_before_completion_earns_only_what_was_kept(
    world, localstripe, pay, deliver
):
    from orders.services import order_refund

    user, cart = shopper_with((world.honey, 2))
    checkout = place(user, cart)
    pay(checkout)
    order = checkout.orders.get()
    Order.objects.filter(pk=order.pk).update(status=Order.Status.DELIVERED)
    order.refresh_from_db()
    quarter = (order.total / 4).quantize(D("0.01"))
    deliver(order_refund, order=order, amount=_money(quarter, order.currency), by=None, reason="q")
    order.refresh_from_db()

    deliver(order_complete, order=order, by=None)

    kept = (order.total - order.refunded_total) / order.total
    assert points_balance(user.pk) == int((order.goods_total - order.discount_total) * kept)
    assert not PointsEntry.objects.filter(user=user, kind=K.REVERSE).exists()


def _money(amount, currency):
    from marketplace.money import Money

    return Money(amount, currency)


@pytest.mark.django_db(transaction=True)
def test_two_redemptions_of_one_balance_cannot_both_spend_it():
    assert connection.vendor == "postgresql"
    user = UserFactory()
    give(user, 100)
    barrier = threading.Barrier(2)
    outcomes: list[dict] = [{}, {}]

    def run(i):
        try:
            barrier.wait()
            with transaction.atomic():
                points_redeem(user=user, points=80, checkout_number=f"CK{i}")
            outcomes[i]["ok"] = True
        except ValidationError as exc:
            outcomes[i]["error"] = exc.error_dict["points"][0].code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(o.get("error", "ok") for o in outcomes) == ["ok", "points_used_meanwhile"]
    assert points_balance(user.pk) == 20
