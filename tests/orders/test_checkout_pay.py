"""A payment's effect on its checkout (``checkout_pay``): every order paid at once,
allocations, the quota ledger, idempotency, a payment after expiry, and the lock order
against the expiry.

Until the payments app lands on this branch the tests hand ``checkout_pay`` a stand-in
payment (the four fields it reads); the end-to-end tests through localstripe are in
test_checkout_payments.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Stock
from customs.models import QuotaEntry
from customs.selectors import quota_used
from orders.models import Allocation, Checkout, Order, OrderEvent
from orders.services import checkout_pay, checkouts_expire
from orders.services.paying import PaymentMismatch
from tests.locking import run_interleaved
from tests.orders.checkout_helpers import id_number, place, shopper_with
from tests.orders.conftest import make_world


@dataclass
class StandInPayment:
    reference: str
    amount: Decimal
    currency: str
    paid_at: datetime | None = None


def paid(checkout: Checkout) -> StandInPayment:
    return StandInPayment(checkout.number, checkout.total, checkout.currency, timezone.now())


@pytest.mark.django_db
def test_a_payment_pays_every_order_of_its_checkout_once(world):
    user, cart = shopper_with((world.honey, 2), (world.balm, 1), (world.serum, 2))
    checkout = place(user, cart)
    checkout_pay(checkout=checkout, payment=paid(checkout))
    checkout.refresh_from_db()
    assert checkout.status == Checkout.Status.PAID and checkout.paid_at is not None
    orders = list(checkout.orders.all())
    assert len(orders) == 3
    assert all(o.status == Order.Status.PAID and o.paid_at for o in orders)
    assert OrderEvent.objects.filter(transition="pay").count() == 3
    assert set(Allocation.objects.values_list("status", flat=True)) == {"allocated"}
    assert not Allocation.objects.filter(expires_at__isnull=False).exists()
    # still held in stock until shipped
    assert Stock.objects.get(pk=world.stock["honey"].pk).reserved == 2
    # each import into China counts towards the payer's year, by order number
    entries = QuotaEntry.objects.filter(kind="usage")
    assert sorted(entries.values_list("reference", flat=True)) == sorted(o.number for o in orders)
    counted = sum(Decimal(o.duties["yearly_counted"]) for o in orders)
    assert quota_used(id_number=id_number(), year=timezone.localdate().year) == counted
    # delivered again (at least once): nothing changes
    checkout_pay(checkout=checkout, payment=paid(checkout))
    assert OrderEvent.objects.filter(transition="pay").count() == 3
    assert QuotaEntry.objects.count() == 3
    # expiry leaves a paid checkout alone
    assert checkouts_expire(now=checkout.expires_at + timedelta(minutes=1)) == 0


@pytest.mark.django_db
def test_a_payment_for_another_amount_pays_nothing(world):
    user, cart = shopper_with((world.balm, 1))
    checkout = place(user, cart)
    wrong = StandInPayment(checkout.number, checkout.total - 1, checkout.currency)
    with pytest.raises(PaymentMismatch):
        checkout_pay(checkout=checkout, payment=wrong)
    assert Order.objects.get().status == Order.Status.AWAITING_PAYMENT


@pytest.mark.django_db
def test_a_late_payment_takes_the_stock_again_when_it_is_still_there(world):
    user, cart = shopper_with((world.honey, 2))
    checkout = place(user, cart)
    checkouts_expire(now=checkout.expires_at + timedelta(seconds=1))
    assert Stock.objects.get(pk=world.stock["honey"].pk).reserved == 0
    checkout_pay(checkout=checkout, payment=paid(checkout))
    checkout.refresh_from_db()
    order = checkout.orders.get()
    assert checkout.status == Checkout.Status.PAID and order.status == Order.Status.PAID
    late = OrderEvent.objects.get(subject=order, transition="pay_late")
    assert (late.from_state, late.to_state) == ("cancelled", "paid") and late.reason
    assert Stock.objects.get(pk=world.stock["honey"].pk).reserved == 2
    assert Allocation.objects.get().status == "allocated"
    assert QuotaEntry.objects.filter(reference=order.number).exists()


@pytest.mark.django_db(transaction=True)
def test_payment_and_expiry_meet_at_the_checkout_lock_in_either_order():
    world = make_world()
    for first_is_expiry in (True, False):
        user, cart = shopper_with((world.balm, 1))
        checkout = place(user, cart, key=f"k{first_is_expiry}")
        later = checkout.expires_at + timedelta(seconds=1)

        def expire(later=later):
            return checkouts_expire(now=later)

        def pay(checkout=checkout):
            return checkout_pay(checkout=checkout, payment=paid(checkout))

        run = run_interleaved(expire, pay) if first_is_expiry else run_interleaved(pay, expire)
        assert run.second_waited
        assert run.first.error is None and run.second.error is None
        checkout.refresh_from_db()
        order = checkout.orders.get()
        # either way the shopper who paid gets the goods, and the stock adds up
        assert checkout.status == Checkout.Status.PAID and order.status == Order.Status.PAID
        assert Allocation.objects.get(line__order=order).status == "allocated"
        moves = list(order.events.values_list("transition", flat=True))
        assert moves == (["cancel", "pay_late"] if first_is_expiry else ["pay"])
    assert Stock.objects.get(pk=world.stock["balm"].pk).reserved == 2
