"""Free-shipping coupons through the real checkout: per order (shipping group), with who
bears it recorded, the merchant's free-shipping threshold read after real price cuts, and
the freight declared to customs the freight paid (CEB311 acturalPaid = the payment)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customs.codec import result_from_json
from customs.engine import order_message_amounts
from logistics.shipping.services import free_shipping_threshold_set
from marketing.coupons.services import coupon_claim, coupon_create
from marketing.models import CouponClaim
from orders.models import OrderPromotionShare
from orders.plan import cart_plan
from orders.selectors import cart_view
from orders.services.checkout import checkout_preview
from tests.factories import OperatorFactory
from tests.orders.checkout_helpers import place, shopper_with

pytestmark = pytest.mark.django_db
D = Decimal


def window():
    now = timezone.now()
    return {"starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=3)}


def kiwi_coupon(world, **fields):
    fields = {"title": "包邮券", "kind": "free_shipping", **fields}
    return coupon_create(merchant=world.kiwi, by=OperatorFactory(), **fields, **window())


def test_a_free_shipping_coupon_zeroes_its_merchants_order_not_the_other_merchants(world):
    free = kiwi_coupon(world, platform_percent=25)
    user, cart = shopper_with((world.honey, 1), (world.serum, 2))
    claim = coupon_claim(coupon=free, user=user)

    checkout = place(user, cart, coupons=[claim.pk])

    kiwi = checkout.orders.get(merchant=world.kiwi)
    tokyo = checkout.orders.get(merchant=world.tokyo)
    assert (kiwi.shipping_total, kiwi.shipping_discount) == (D("8.00"), D("8.00"))
    assert (tokyo.shipping_total, tokyo.shipping_discount) == (D("140.00"), D("0.00"))
    for order in (kiwi, tokyo):
        assert order.total == (
            order.goods_total
            - order.discount_total
            + order.shipping_total
            - order.shipping_discount
            + order.duty_total
        )
    assert checkout.total == kiwi.total + tokyo.total
    (share,) = OrderPromotionShare.objects.all()
    assert (share.order_id, share.step, share.amount) == (kiwi.pk, "shipping", D("8.00"))
    assert (share.platform_bears, share.merchant_bears) == (D("2.00"), D("6.00"))
    claim.refresh_from_db()
    assert (claim.status, claim.checkout_number) == (CouponClaim.Status.USED, checkout.number)


def test_the_freight_declared_is_the_freight_paid(world):
    free = kiwi_coupon(world)
    user, cart = shopper_with((world.honey, 1))
    claim = coupon_claim(coupon=free, user=user)

    checkout = place(user, cart, coupons=[claim.pk])

    order = checkout.orders.get()
    assert order.shipping_discount == order.shipping_total == D("8.00")
    order.assessment.refresh_from_db()
    amounts = order_message_amounts(result_from_json(order.assessment.result))
    assert amounts.freight == D("0.00")
    # acturalPaid equals the payment (one order: the checkout's total) to the fen
    assert amounts.actual_paid == order.total == checkout.total


def test_the_merchants_threshold_reads_the_goods_after_real_price_cuts(world):
    free_shipping_threshold_set(merchant=world.kiwi, amount="199", currency="CNY")
    user, cart = shopper_with((world.honey, 1))
    assert place(user, cart, key="plain").orders.get().shipping_total == D("0.00")

    cut = kiwi_coupon(world, title="减10", kind="fixed", amount="10")
    user, cart = shopper_with((world.honey, 1))
    claim = coupon_claim(coupon=cut, user=user)
    order = place(user, cart, coupons=[claim.pk]).orders.get()
    # 199 - 10 = 189 of goods: under the threshold, the shipping is charged
    assert (order.discount_total, order.shipping_total) == (D("10.00"), D("8.00"))

    voucher = kiwi_coupon(world, title="代金券", kind="fixed", amount="10", cuts_price=False)
    user, cart = shopper_with((world.honey, 1))
    claim = coupon_claim(coupon=voucher, user=user)
    order = place(user, cart, coupons=[claim.pk]).orders.get()
    # a voucher is no price cut: the goods still reach the threshold
    assert (order.discount_total, order.shipping_total) == (D("10.00"), D("0.00"))


def test_a_free_shipping_coupon_on_an_order_shipped_free_is_refused_with_its_reason(world):
    free_shipping_threshold_set(merchant=world.kiwi, amount="100", currency="CNY")
    free = kiwi_coupon(world)
    user, cart = shopper_with((world.honey, 1))
    claim = coupon_claim(coupon=free, user=user)

    promotions = checkout_preview(user=user, claim_ids=[claim.pk])
    plan = cart_plan(cart_view(cart, "CN"), currency="CNY", province="CN-ZJ", promote=promotions)

    assert promotions.refused == {claim.pk: "shipping_free"}
    assert promotions.claims_used == []
    assert plan.groups[0].shipping_discount.amount == 0
    checkout = place(user, cart, coupons=[claim.pk])
    claim.refresh_from_db()
    assert claim.status == CouponClaim.Status.AVAILABLE
    assert checkout.orders.get().shipping_discount == 0


def test_the_preview_picks_a_free_shipping_coupon_for_an_issuer_without_a_coupon(world):
    free = kiwi_coupon(world)
    user, cart = shopper_with((world.honey, 1), (world.serum, 2))
    claim = coupon_claim(coupon=free, user=user)

    promotions = checkout_preview(user=user, claim_ids=None)
    plan = cart_plan(cart_view(cart, "CN"), currency="CNY", province="CN-ZJ", promote=promotions)

    assert promotions.claims_used == [claim.pk]
    off = {g.merchant.pk: g.shipping_discount.amount for g in plan.groups}
    assert off == {world.kiwi.pk: D("8.00"), world.tokyo.pk: D("0")}
    kiwi = next(g for g in plan.groups if g.merchant.pk == world.kiwi.pk)
    assert kiwi.freight_paid.amount == 0
    assert kiwi.total.amount == kiwi.goods.amount + kiwi.duties_charged.amount
