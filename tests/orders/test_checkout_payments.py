"""Checkout with the real payments app against localstripe: starting the payment, a card that
pays or is declined, cancelling and refunding orders (stock, quota, money back), a payment
that comes too late. No mock: the Stripe SDK talks to localstripe."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import Stock
from customs.selectors import quota_used
from marketplace.money import Money
from orders.flow import ORDER_FLOW
from orders.models import Allocation, Checkout, Order, OrderEvent
from orders.services import (
    checkout_payment,
    checkouts_expire,
    order_cancel,
    order_refund,
)
from payments.models import Refund
from payments.testing import DECLINED, PAYS, pay_with_test_card
from tests.locking import run_interleaved
from tests.orders.checkout_helpers import id_number, place, shopper_with
from tests.orders.conftest import make_world

pytestmark = pytest.mark.django_db


def year() -> int:
    return timezone.localdate().year


def test_paying_with_a_card_pays_every_order(world, localstripe, pay):
    user, cart = shopper_with((world.honey, 1), (world.balm, 1), (world.serum, 2))
    checkout = place(user, cart)
    payment = checkout_payment(checkout=checkout)
    assert payment.reference == checkout.number
    assert (payment.amount, payment.currency) == (checkout.total, "CNY")
    # a China import names the payer and keeps the raw exchanges for customs
    assert payment.payer_id_masked == checkout.payer_id_masked and payment.keep_raw
    assert checkout_payment(checkout=checkout).pk == payment.pk  # once
    pay(checkout)
    assert checkout.status == Checkout.Status.PAID
    assert set(checkout.orders.values_list("status", flat=True)) == {"paid"}
    assert set(Allocation.objects.values_list("status", flat=True)) == {"allocated"}
    counted = sum(Decimal(o.duties["yearly_counted"]) for o in checkout.orders.all())
    assert quota_used(id_number=id_number(), year=year()) == counted > 0


def test_a_declined_card_leaves_the_checkout_waiting_for_another(world, localstripe, pay):
    user, cart = shopper_with((world.balm, 1))
    checkout = place(user, cart)
    pay(checkout, DECLINED)
    assert checkout.status == Checkout.Status.AWAITING_PAYMENT
    assert checkout.orders.get().status == Order.Status.AWAITING_PAYMENT
    assert Allocation.objects.get().status == "reserved"
    assert quota_used(id_number=id_number(), year=year()) == 0
    pay(checkout, PAYS)  # another card, before the reservation runs out
    assert checkout.status == Checkout.Status.PAID


def test_cancelling_a_paid_order_gives_back_stock_quota_and_money(world, localstripe, pay, deliver):
    user, cart = shopper_with((world.honey, 2), (world.serum, 2))
    checkout = place(user, cart)
    pay(checkout)
    honey = checkout.orders.get(merchant=world.kiwi)
    used = quota_used(id_number=id_number(), year=year())
    deliver(order_cancel, order=honey, by=user, reason="changed my mind")
    honey.refresh_from_db()
    assert honey.status == Order.Status.CANCELLED and honey.refunded_total == honey.total
    refund = Refund.objects.get(reference=f"{honey.number}:cancel")
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount == honey.total
    assert Stock.objects.get(pk=world.stock["honey"].pk).reserved == 0
    assert Allocation.objects.get(line__order=honey).status == "released"
    assert quota_used(id_number=id_number(), year=year()) == used - Decimal(
        honey.duties["yearly_counted"]
    )
    # the other order is untouched
    assert checkout.orders.get(merchant=world.tokyo).status == Order.Status.PAID
    assert Stock.objects.get(pk=world.stock["serum"].pk).reserved == 2
    # cancelling again changes nothing
    deliver(order_cancel, order=honey, by=user, reason="again")
    assert Refund.objects.filter(payment__reference=checkout.number).count() == 1


def test_cancelling_an_unpaid_order_cancels_its_checkout_and_a_late_payment_is_refunded(
    world, localstripe, pay
):
    user, cart = shopper_with((world.honey, 1), (world.serum, 2))
    checkout = place(user, cart)
    payment = checkout_payment(checkout=checkout)
    order_cancel(order=checkout.orders.first(), by=user, reason="wrong address")
    checkout.refresh_from_db()
    assert checkout.status == Checkout.Status.CANCELLED
    assert set(checkout.orders.values_list("status", flat=True)) == {"cancelled"}
    assert not Stock.objects.filter(reserved__gt=0).exists()
    # the card was already on its way: the payment succeeds, and all of it comes back
    pay(checkout)
    assert checkout.status == Checkout.Status.CANCELLED
    refunds = Refund.objects.filter(payment=payment)
    assert sum(r.amount for r in refunds) == checkout.total
    assert {r.status for r in refunds} == {Refund.Status.SUCCEEDED}
    assert quota_used(id_number=id_number(), year=year()) == 0


def test_a_late_payment_with_the_stock_gone_is_refunded_in_full(world, localstripe, pay):
    user, cart = shopper_with((world.balm, 6))  # every unit
    checkout = place(user, cart)
    checkout_payment(checkout=checkout)
    checkouts_expire(now=checkout.expires_at + timedelta(seconds=1))
    rival, theirs = shopper_with((world.balm, 1))
    place(rival, theirs, key="rival")  # one unit gone meanwhile
    pay(checkout)
    assert checkout.status == Checkout.Status.CANCELLED
    order = checkout.orders.get()
    assert order.status == Order.Status.CANCELLED and order.refunded_total == order.total
    refund = Refund.objects.get(reference=f"{order.number}:unpaid")
    assert refund.amount == checkout.total and refund.status == Refund.Status.SUCCEEDED
    assert Stock.objects.get(pk=world.stock["balm"].pk).reserved == 1  # the rival's


def test_partial_refunds_by_amount_and_by_lines_then_the_rest_after_shipping(
    world, localstripe, pay, deliver
):
    user, cart = shopper_with((world.serum, 4))
    checkout = place(user, cart)
    pay(checkout)
    order = checkout.orders.get()
    line = order.lines.get()
    deliver(order_refund, order=order, amount=Money("10.00", "CNY"), by=user, reason="late")
    refund = Refund.objects.get(reference=f"{order.number}:part1")
    assert refund.amount == Decimal("10.00") and refund.status == Refund.Status.SUCCEEDED
    deliver(order_refund, order=order, amount=None, by=user, reason="broken", lines={line.pk: 1})
    order.refresh_from_db()
    line.refresh_from_db()
    assert line.refunded_quantity == 1
    by_line = line.unit_price_charged + (line.duty / 4).quantize(Decimal("0.01"))
    assert order.refunded_total == Decimal("10.00") + by_line
    assert order.status == Order.Status.PAID  # partial refunds do not move the status
    assert OrderEvent.objects.filter(subject=order, transition="partial_refund").count() == 2
    with pytest.raises(ValidationError) as caught:
        order_refund(order=order, amount=Money(order.total, "CNY"), by=user, reason="x")
    assert caught.value.error_dict["amount"][0].code == "refund_exceeds_order"
    with pytest.raises(ValidationError) as caught:
        order_refund(order=order, amount=None, by=user, reason="x", lines={line.pk: 4})
    assert caught.value.error_dict["lines"][0].code == "refund_quantity"
    for move in ("pack", "ship"):
        ORDER_FLOW.apply(order, move, by=None, event_model=OrderEvent)
    with pytest.raises(ValidationError) as caught:
        order_cancel(order=order, by=user, reason="too late")
    assert caught.value.error_dict["status"][0].code == "order_not_cancellable"
    used = quota_used(id_number=id_number(), year=year())
    deliver(order_refund, order=order, amount=None, by=user, reason="returned")
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and order.refunded_total == order.total
    refunds = Refund.objects.filter(payment__reference=checkout.number)
    assert sum(r.amount for r in refunds) == order.total
    assert quota_used(id_number=id_number(), year=year()) == used - Decimal(
        order.duties["yearly_counted"]
    )


def test_refunding_an_unpaid_order_is_refused(world, localstripe):
    user, cart = shopper_with((world.balm, 1))
    order = place(user, cart).orders.get()
    with pytest.raises(ValidationError) as caught:
        order_refund(order=order, amount=None, by=user, reason="x")
    assert caught.value.error_dict["status"][0].code == "order_not_refundable"


@pytest.mark.django_db(transaction=True)
def test_a_refund_and_a_cancellation_of_one_order_meet_at_the_lock(localstripe):
    """Both take the checkout, the payment, then the order: the second waits for the first
    and sees what it refunded; never more than the order is given back."""
    world = make_world()
    user, cart = shopper_with((world.serum, 2))
    checkout = place(user, cart)
    payment = checkout_payment(checkout=checkout)
    pay_with_test_card(payment, PAYS)  # commits: the outbox pays the checkout
    order = checkout.orders.get()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID

    def refund():
        return order_refund(order=order, amount=Money("5.00", "CNY"), by=user, reason="a")

    def cancel():
        return order_cancel(order=order, by=user, reason="b")

    run = run_interleaved(refund, cancel)
    assert run.second_waited
    assert run.first.error is None and run.second.error is None
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and order.refunded_total == order.total
    refunds = Refund.objects.filter(payment=payment)
    assert sum(r.amount for r in refunds) == order.total
    assert Stock.objects.get(pk=world.stock["serum"].pk).reserved == 0


def test_an_expired_checkouts_payment_intent_is_cancelled_at_stripe(world, localstripe, deliver):
    from payments.models import Payment
    from payments.provider import stripe_client

    user, cart = shopper_with((world.balm, 1))
    checkout = place(user, cart)
    payment = checkout_payment(checkout=checkout)
    assert deliver(checkouts_expire, now=checkout.expires_at + timedelta(seconds=1)) == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELED
    intent = stripe_client().v1.payment_intents.retrieve(payment.intent_id)
    assert intent.status == "canceled"  # the card can no longer be charged
    # a second run (or a repeated delivery) changes nothing
    assert deliver(checkouts_expire, now=checkout.expires_at + timedelta(minutes=5)) == 0
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELED


def test_an_expired_checkout_without_a_payment_cancels_nothing(world, localstripe, deliver):
    from payments.models import Payment

    user, cart = shopper_with((world.balm, 1))
    checkout = place(user, cart)
    assert deliver(checkouts_expire, now=checkout.expires_at + timedelta(seconds=1)) == 1
    assert not Payment.objects.filter(reference=checkout.number).exists()


def test_cancelling_a_paid_order_gives_back_what_no_other_order_keeps(
    world, localstripe, pay, deliver
):
    """docs/MARKETING.md, "Giving back": the cancelled order's flash unit at once; a
    merchant's coupon once none of that merchant's orders is kept; a platform coupon once
    the last order of the checkout is cancelled."""
    from marketing.coupons.services import coupon_claim, coupon_create
    from marketing.flash.services import flash_admit, flash_sale_schedule
    from marketing.models import CouponClaim, FlashAdmission
    from tests.factories import OperatorFactory

    now = timezone.now()
    window = {"starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=3)}
    sale = flash_sale_schedule(
        merchant=world.kiwi,
        by=None,
        title="秒杀",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        per_shopper_limit=1,
        items=[{"sku": world.honey, "flash_price": Decimal("99.00"), "quantity": 3}],
    )
    operator = OperatorFactory()
    tokyo_coupon = coupon_create(
        merchant=world.tokyo, by=operator, title="东京券", kind="fixed", amount="5", **window
    )
    platform_coupon = coupon_create(
        merchant=None, by=operator, title="平台券", kind="fixed", amount="10", **window
    )
    user, cart = shopper_with((world.honey, 1), (world.serum, 2))
    admission = flash_admit(user=user, item=sale.items.get())
    claims = [coupon_claim(coupon=c, user=user) for c in (tokyo_coupon, platform_coupon)]
    checkout = place(user, cart, coupons=[c.pk for c in claims])
    tokyo_claim, platform_claim = claims
    for claim in claims:
        claim.refresh_from_db()
        assert claim.status == CouponClaim.Status.USED
    pay(checkout)
    honey = checkout.orders.get(merchant=world.kiwi)
    serum = checkout.orders.get(merchant=world.tokyo)

    deliver(order_cancel, order=serum, by=user, reason="changed my mind")

    tokyo_claim.refresh_from_db()  # no Tokyo order is kept: its coupon is back
    assert (tokyo_claim.status, tokyo_claim.checkout_number) == (CouponClaim.Status.AVAILABLE, "")
    platform_claim.refresh_from_db()  # the honey order is kept: the platform coupon stays
    assert platform_claim.status == CouponClaim.Status.USED
    admission.refresh_from_db()
    assert admission.status == FlashAdmission.Status.USED  # the honey order keeps its unit

    deliver(order_cancel, order=honey, by=user, reason="changed my mind")

    admission.refresh_from_db()
    assert admission.status == FlashAdmission.Status.RETURNED  # the unit is back on sale
    platform_claim.refresh_from_db()
    assert (platform_claim.status, platform_claim.checkout_number) == (
        CouponClaim.Status.AVAILABLE,
        "",
    )
    # a repeated delivery gives nothing back twice
    from orders.outbox import give_back

    assert give_back({"checkout_id": checkout.pk, "reason": "again"})
    assert CouponClaim.objects.get(pk=tokyo_claim.pk).status == CouponClaim.Status.AVAILABLE
    assert CouponClaim.objects.get(pk=platform_claim.pk).events.count() == 2  # use, give back


def test_cancelling_one_paid_order_gives_back_the_points_its_lines_took(
    world, localstripe, pay, deliver
):
    """Points redeemed on a checkout are spread over its lines (and recorded per line, borne
    by the platform); cancelling one paid order credits back that order's share at once,
    the last cancellation the rest, and a repeated delivery nothing more."""
    from marketing.models import PointsEntry
    from marketing.points.services import EarnLine, points_balance, points_earn
    from orders.models import LinePromotionShare
    from orders.outbox import give_back

    user, cart = shopper_with((world.honey, 1), (world.serum, 2))
    points_earn(
        user_id=user.pk,
        order_number="seed",
        lines=[EarnLine(merchant_id=0, category_id=None, paid=Decimal(5_000))],
        kept=Decimal(1),
    )
    checkout = place(user, cart, points=5_000)
    redeemed = 5_000 - points_balance(user.pk)
    assert redeemed > 0
    pay(checkout)
    honey = checkout.orders.get(merchant=world.kiwi)
    serum = checkout.orders.get(merchant=world.tokyo)

    def points_of(order) -> int:
        shares = LinePromotionShare.objects.filter(line__order=order, step="points")
        assert all(s.platform_bears == s.amount and s.merchant_bears == 0 for s in shares)
        return int(sum(s.amount for s in shares) * 100)  # 100 points per yuan

    assert points_of(honey) > 0 and points_of(serum) > 0
    assert points_of(honey) + points_of(serum) == redeemed

    deliver(order_cancel, order=serum, by=user, reason="changed my mind")
    assert points_balance(user.pk) == 5_000 - redeemed + points_of(serum)

    deliver(order_cancel, order=honey, by=user, reason="changed my mind")
    assert points_balance(user.pk) == 5_000
    assert give_back({"checkout_id": checkout.pk, "reason": "again"})
    assert points_balance(user.pk) == 5_000
    assert PointsEntry.objects.filter(user=user, kind="give_back").count() == 2
