"""Promotions through the real checkout: spend-and-save, coupons, vouchers and flash-sale
admissions priced by the pipeline, recorded on the order lines, the duties quoted on the
discounted lines (price cuts lower them, vouchers do not), and all of it given back when the
checkout expires unpaid."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from marketing.coupons.services import coupon_claim, coupon_create
from marketing.flash.services import flash_admit, flash_sale_schedule
from marketing.models import CouponClaim, FlashAdmission
from orders.services import checkouts_expire
from tests.factories import OperatorFactory
from tests.marketing.conftest import spend_and_save_299_30
from tests.orders.checkout_helpers import place, shopper_with

pytestmark = pytest.mark.django_db
D = Decimal


def window():
    now = timezone.now()
    return {"starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=3)}


def baseline(world, qty=2):
    user, cart = shopper_with((world.honey, qty))
    return place(user, cart, key="base").orders.get()


def test_spend_and_save_lowers_the_price_and_the_duties(world):
    plain = baseline(world)
    spend_and_save_299_30()
    user, cart = shopper_with((world.honey, 2))

    order = place(user, cart).orders.get()

    line = order.lines.get()
    assert line.discount == D("30.00") and order.discount_total == D("30.00")
    assert order.goods_total == plain.goods_total == D("398.00")
    assert order.duty_total < plain.duty_total  # a real price cut lowers the dutiable value
    assert order.total == order.goods_total - D("30.00") + order.shipping_total + order.duty_total


def test_a_voucher_lowers_the_price_but_not_the_duties(world):
    plain = baseline(world)
    voucher = coupon_create(
        merchant=None,
        by=OperatorFactory(),
        title="代金券",
        kind="fixed",
        amount="20",
        cuts_price=False,
        **window(),
    )
    user, cart = shopper_with((world.honey, 2))
    claim = coupon_claim(coupon=voucher, user=user)

    checkout = place(user, cart, coupons=[claim.pk])

    order = checkout.orders.get()
    assert order.discount_total == D("20.00")
    assert order.duty_total == plain.duty_total  # non-cash: the taxes did not fall
    claim.refresh_from_db()
    assert (claim.status, claim.checkout_number) == (CouponClaim.Status.USED, checkout.number)


def test_flash_units_at_the_flash_price_and_back_to_the_gate_on_expiry(
    world, django_capture_on_commit_callbacks
):
    now = timezone.now()
    sale = flash_sale_schedule(
        merchant=world.kiwi,
        by=None,
        title="秒杀",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        per_shopper_limit=1,
        items=[{"sku": world.honey, "flash_price": D("99.00"), "quantity": 3}],
    )
    user, cart = shopper_with((world.honey, 2))
    admission = flash_admit(user=user, item=sale.items.get())
    coupon = coupon_create(
        merchant=None, by=OperatorFactory(), title="券", kind="fixed", amount="10", **window()
    )
    claim = coupon_claim(coupon=coupon, user=user)

    checkout = place(user, cart, coupons=[claim.pk])

    line = checkout.orders.get().lines.get()
    # one unit at 99 instead of 199; the line holds a flash unit, so no coupon on it
    assert line.discount == D("100.00")
    admission.refresh_from_db()
    assert (admission.status, admission.checkout_number) == (
        FlashAdmission.Status.USED,
        checkout.number,
    )
    claim.refresh_from_db()
    assert claim.status == CouponClaim.Status.AVAILABLE  # not applied, not used

    with django_capture_on_commit_callbacks(execute=True):
        assert checkouts_expire(now=checkout.expires_at + timedelta(seconds=1)) == 1
    admission.refresh_from_db()
    assert admission.status == FlashAdmission.Status.RETURNED


def test_an_expired_checkout_gives_its_coupon_back(world):
    coupon = coupon_create(
        merchant=None, by=OperatorFactory(), title="券", kind="fixed", amount="10", **window()
    )
    user, cart = shopper_with((world.honey, 1))
    claim = coupon_claim(coupon=coupon, user=user)
    checkout = place(user, cart, coupons=[claim.pk])
    assert checkout.orders.get().discount_total == D("10.00")

    checkouts_expire(now=checkout.expires_at + timedelta(seconds=1))

    claim.refresh_from_db()
    assert claim.status == CouponClaim.Status.AVAILABLE and claim.checkout_number == ""


def test_cancelling_an_unpaid_order_gives_its_coupon_back(world):
    from orders.services import order_cancel_by_shopper

    coupon = coupon_create(
        merchant=None, by=OperatorFactory(), title="券", kind="fixed", amount="10", **window()
    )
    user, cart = shopper_with((world.honey, 1))
    claim = coupon_claim(coupon=coupon, user=user)
    checkout = place(user, cart, coupons=[claim.pk])

    order_cancel_by_shopper(order=checkout.orders.get(), by=user, reason="changed my mind")

    claim.refresh_from_db()
    assert claim.status == CouponClaim.Status.AVAILABLE and claim.checkout_number == ""
    checkout.refresh_from_db()
    assert checkout.status == "cancelled"
