"""Checkout under concurrency, on the real PostgreSQL: parallel buyers for the last units,
double submits racing with one idempotency key."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from catalog.models import Stock, StockAdjustment
from orders.models import Allocation, Checkout, Order
from orders.services import checkout_pay, checkouts_expire
from tests.orders.checkout_helpers import place, shopper_with
from tests.orders.test_checkout_pay import paid


def _in_threads(calls, *, timeout: float = 120):
    """Run each callable in its own thread, all released at once; their outcomes in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[dict] = [{} for _ in calls]

    def run(index, fn):
        try:
            barrier.wait()
            outcomes[index]["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread met
            outcomes[index]["error"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_for_ten_units_never_oversell(world):
    assert connection.vendor == "postgresql"
    Stock.objects.filter(pk=world.stock["honey"].pk).update(on_hand=10)
    buyers = [shopper_with((world.honey, 1)) for _ in range(50)]
    outcomes = _in_threads(
        [lambda user=user, cart=cart: place(user, cart, key="buy") for user, cart in buyers]
    )
    placed = [o["value"] for o in outcomes if "value" in o]
    refused = [o["error"] for o in outcomes if "error" in o]
    assert len(placed) == 10
    assert len(refused) == 40
    assert all(isinstance(e, ValidationError) for e in refused), refused[:3]
    assert all(
        e.error_dict["lines"][0].code in {"insufficient_stock", "out_of_stock"} for e in refused
    )
    stock = Stock.objects.get(pk=world.stock["honey"].pk)
    assert (stock.on_hand, stock.reserved) == (10, 10)
    # the ledger never went past the stock: 1, 2, … 10 reserved
    afters = sorted(
        StockAdjustment.objects.filter(stock=stock, reason="reservation").values_list(
            "reserved_after", flat=True
        )
    )
    assert afters == list(range(1, 11))
    assert Order.objects.count() == 10
    # the ten who got the units pay, all at once
    _in_threads([lambda c=c: checkout_pay(checkout=c, payment=paid(c)) for c in placed])
    assert Order.objects.filter(status=Order.Status.PAID).count() == 10
    assert Checkout.objects.filter(status=Checkout.Status.PAID).count() == 10
    # expiry (after every reservation ran out) finds nothing to give back
    later = max(c.expires_at for c in placed) + timedelta(seconds=1)
    assert checkouts_expire(now=later) == 0
    assert not Allocation.objects.filter(status=Allocation.Status.RESERVED).exists()
    assert Allocation.objects.filter(status=Allocation.Status.ALLOCATED).count() == 10
    stock = Stock.objects.get(pk=stock.pk)
    assert (stock.on_hand, stock.reserved) == (10, 10)  # held for the paid orders
    assert stock.on_hand - stock.reserved == 0


@pytest.mark.django_db(transaction=True)
def test_unpaid_reservations_are_all_released_after_expiry(world):
    buyers = [shopper_with((world.balm, 1)) for _ in range(6)]
    outcomes = _in_threads(
        [lambda user=user, cart=cart: place(user, cart, key="buy") for user, cart in buyers]
    )
    placed = [o["value"] for o in outcomes if "value" in o]
    assert len(placed) == 6
    checkout_pay(checkout=placed[0], payment=paid(placed[0]))
    later = max(c.expires_at for c in placed) + timedelta(seconds=1)
    assert checkouts_expire(now=later) == 5
    assert not Allocation.objects.filter(status=Allocation.Status.RESERVED).exists()
    assert Stock.objects.get(pk=world.stock["balm"].pk).reserved == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_racing_with_one_key_places_one_checkout(world):
    user, cart = shopper_with((world.balm, 2))
    outcomes = _in_threads(
        [lambda: place(user, cart, key="same"), lambda: place(user, cart, key="same")]
    )
    assert all("value" in o for o in outcomes), outcomes
    assert outcomes[0]["value"].pk == outcomes[1]["value"].pk
    assert Checkout.objects.count() == 1 and Order.objects.count() == 1
    assert Stock.objects.get(pk=world.stock["balm"].pk).reserved == 2
