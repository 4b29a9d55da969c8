"""Free-shipping coupons through the real checkout: per order (shipping group), with who
bears it recorded, the merchant's free-shipping threshold read after real price cuts, and
the freight declared to customs the freight paid (CEB311 acturalPaid = the payment)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customs.codec import result_from_json
from customs.engine import order_message_amounts
from logistics.shipping.services import free_shipping_threshold_set
from marketing.coupons.services import coupon_claim, coupon_create
from marketing.models import CouponClaim
from orders.models import OrderPromotionShare
from orders.plan import cart_plan
from orders.selectors import cart_view
from orders.services.checkout import checkout_preview, checkout_preview_plan
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


def _page_plan(user, cart, claim_ids=None):
    """The checkout page's plan (the same call the page makes), settled."""
    return checkout_preview_plan(
        cart_view(cart, "CN"), user=user, claim_ids=claim_ids, currency="CNY", province="CN-ZJ"
    )


def _kiwi(plan):
    (kiwi,) = plan.groups  # one honey: Kiwi's one order
    return kiwi


def test_the_best_pick_takes_the_free_shipping_coupon_when_it_saves_more_than_the_price_cut(
    world,
):
    """One honey (¥199.00) to Hangzhou ships for ¥8.00. Kiwi's ¥5 off saves ¥5.00, its free
    shipping ¥8.00: the pick is the free shipping (goods ¥199.00 + shipping ¥8.00 − ¥8.00),
    where it used to keep the ¥5 off (¥194.00 + ¥8.00)."""
    free = kiwi_coupon(world)
    five = kiwi_coupon(world, title="减5", kind="fixed", amount="5")
    user, cart = shopper_with((world.honey, 1))
    claims = {c: coupon_claim(coupon=c, user=user) for c in (free, five)}

    promotions, plan = _page_plan(user, cart)

    assert promotions.claims_used == [claims[free].pk]
    kiwi = _kiwi(plan)
    assert (kiwi.chosen.price.amount, kiwi.shipping_discount.amount) == (D("8.00"), D("8.00"))
    assert kiwi.promotions_off.amount == 0 and kiwi.freight_paid.amount == 0
    # placing with what the page applied charges what it showed
    order = place(user, cart, coupons=promotions.claims_used).orders.get()
    assert (order.discount_total, order.shipping_total, order.shipping_discount) == (
        D("0.00"), D("8.00"), D("8.00"),
    )  # fmt: skip
    assert order.total == D("199.00") + order.duty_total


@pytest.mark.parametrize(("amount", "why"), [("10", "saves more"), ("8", "a tie")])
def test_the_best_pick_keeps_the_price_cut_when_it_saves_as_much_or_more(world, amount, why):
    """¥10 off against ¥8.00 of shipping: the price cut; ¥8 off against ¥8.00: a tie keeps
    the price cut too (it leaves the shipping quoted as it was)."""
    free = kiwi_coupon(world)
    cut = kiwi_coupon(world, title=f"减{amount}", kind="fixed", amount=amount)
    user, cart = shopper_with((world.honey, 1))
    coupon_claim(coupon=free, user=user)
    claim = coupon_claim(coupon=cut, user=user)

    promotions, plan = _page_plan(user, cart)

    assert promotions.claims_used == [claim.pk], why
    kiwi = _kiwi(plan)
    assert kiwi.promotions_off.amount == D(amount) and kiwi.shipping_discount.amount == 0


def test_a_refused_free_shipping_coupon_frees_its_place_for_the_price_cut(world):
    """The shopper ticks Kiwi's free shipping from ¥300 and its ¥5 off on ¥199.00 of honey:
    the free shipping is refused (below its threshold) and no longer holds Kiwi's place, so
    the ¥5 off applies: goods ¥194.00 + shipping ¥8.00."""
    free = kiwi_coupon(world, threshold="300")
    five = kiwi_coupon(world, title="减5", kind="fixed", amount="5")
    user, cart = shopper_with((world.honey, 1))
    ticked = [coupon_claim(coupon=c, user=user).pk for c in (free, five)]

    promotions, plan = _page_plan(user, cart, claim_ids=ticked)

    assert promotions.claims_used == [ticked[1]]
    kiwi = _kiwi(plan)
    assert kiwi.promotions_off.amount == D("5.00") and kiwi.shipping_discount.amount == 0
    assert kiwi.freight_paid.amount == D("8.00")
    # a direct caller placing both is told (its shipping was quoted before the ¥5 took the
    # place); placing what the page applied charges what it showed
    with pytest.raises(ValidationError) as refused:
        place(user, cart, coupons=ticked)
    assert refused.value.error_dict["coupons"][0].code == "coupon_place_freed"
    order = place(user, cart, key="k2", coupons=promotions.claims_used).orders.get()
    assert (order.discount_total, order.shipping_total, order.shipping_discount) == (
        D("5.00"), D("8.00"), D("0.00"),
    )  # fmt: skip
    assert CouponClaim.objects.get(pk=ticked[0]).status == CouponClaim.Status.AVAILABLE
