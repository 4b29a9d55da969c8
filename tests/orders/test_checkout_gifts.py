"""Gifts with purchase at checkout (满赠, docs/MARKETING.md): an order reaching the threshold
gets a price-0 gift line, reserved in the same stock pass as the goods, with its cost
bearer recorded; a gift that ran out is left out and the shopper is told. Expiry releases
it like any line."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Stock
from marketing.models import GiftPromotion
from orders.models import Allocation, LinePromotionShare
from orders.selectors.orders import promotion_costs
from orders.services import checkout_pay, checkouts_expire
from tests.factories import ProductFactory, SKUFactory, StockFactory
from tests.orders.checkout_helpers import place, shopper_with

pytestmark = pytest.mark.django_db


def sample_of(world, *, stocked=5, **sku):
    """A sample of kiwi's (its own SKU, listed at 25), stocked in the bonded warehouse."""
    fields = {
        "price": Decimal("25.00"),
        "allow_bonded": True,
        "product_record_status": "recorded",
        "product_record_number": "HZ2026-0099",
    } | sku
    sample = SKUFactory(
        product=ProductFactory(
            merchant=world.kiwi, name_en="Honey sample", name_zh_hans="蜂蜜小样"
        ),
        **fields,
    )
    if stocked is not None:
        StockFactory(sku=sample, warehouse=world.bonded, on_hand=stocked)
    return sample


def gift_for(world, sample, *, threshold="299", quantity=1, platform_percent=0):
    now = timezone.now()
    return GiftPromotion.objects.create(
        merchant=world.kiwi,
        title="满299赠小样",
        title_zh_hans="满299赠小样",
        title_en="Free sample over 299",
        gift_sku=sample,
        quantity=quantity,
        threshold=Decimal(threshold),
        currency="CNY",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
        platform_percent=platform_percent,
    )


def test_an_order_past_the_threshold_gets_the_gift_at_price_0_reserved_with_its_bearer(world):
    sample = sample_of(world)
    gift = gift_for(world, sample, quantity=2, platform_percent=40)
    user, cart = shopper_with((world.honey, 2))  # 398 ≥ 299
    checkout = place(user, cart)
    order = checkout.orders.get()
    lines = list(order.lines.order_by("id"))
    assert [(line.sku_code, line.quantity, line.is_gift) for line in lines] == [
        (world.honey.code, 2, False),
        (sample.code, 2, True),
    ]
    free = lines[1]
    assert free.unit_price == free.unit_price_charged == free.line_total == 0
    assert free.discount == 0 and free.duty == 0
    # the order costs what the goods cost: the gift adds nothing
    assert order.goods_total == Decimal("398.00")
    assert order.total == order.goods_total + order.shipping_total + order.duty_total
    # reserved from the order's warehouse like any line
    allocation = Allocation.objects.get(line=free)
    stock = Stock.objects.get(sku=sample, warehouse=world.bonded)
    assert allocation.stock_id == stock.pk and allocation.quantity == 2
    assert (stock.on_hand, stock.reserved) == (5, 2)
    # the cost: two samples at list price, 40 % the platform's
    share = LinePromotionShare.objects.get(line=free)
    assert (share.ref, share.step, share.currency) == (f"gift:{gift.pk}", "gift", "CNY")
    assert (share.amount, share.platform_bears, share.merchant_bears) == (
        Decimal("50.00"),
        Decimal("20.00"),
        Decimal("30.00"),
    )
    assert share.cuts_price is False
    assert checkout.gifts_ran_out == []
    # the seller's promotion costs name it
    costs = [(c.step, c.label, c.merchant_bears) for c in promotion_costs(order)]
    assert costs == [("gift", "Gifts with purchase", Decimal("30.00"))]


def test_below_the_threshold_no_gift(world):
    gift_for(world, sample_of(world))
    user, cart = shopper_with((world.honey, 1))  # 199 < 299
    order = place(user, cart).orders.get()
    assert not order.lines.filter(is_gift=True).exists()


@pytest.mark.parametrize(
    "why",
    ["no_stock", "no_row", "inactive", "no_record"],
)
def test_a_gift_that_ran_out_is_left_out_and_the_order_places(world, why):
    if why == "no_stock":
        sample = sample_of(world, stocked=0)
    elif why == "no_row":
        sample = sample_of(world, stocked=None)
    elif why == "inactive":
        sample = sample_of(world, is_active=False)
    else:  # no product record: it cannot go into a bonded order
        sample = sample_of(world, allow_bonded=False, product_record_status="none")
    gift_for(world, sample)
    user, cart = shopper_with((world.honey, 2))
    checkout = place(user, cart)
    order = checkout.orders.get()
    assert [line.is_gift for line in order.lines.all()] == [False]
    assert checkout.gifts_ran_out == [
        {
            "ref": checkout.gifts_ran_out[0]["ref"],
            "order": order.number,
            "sku_code": sample.code,
            "name_en": "Honey sample",
            "name_zh_hans": "蜂蜜小样",
            "quantity": 1,
        }
    ]
    assert Stock.objects.get(sku=world.honey, warehouse=world.bonded).reserved == 2


def test_the_gift_takes_only_what_the_goods_leave_of_the_same_row(world):
    # the gift is the very SKU bought: 10 on hand, 9 bought, a gift of 2 does not fit
    gift_for(world, world.honey, quantity=2, threshold="100")
    user, cart = shopper_with((world.honey, 9))
    checkout = place(user, cart)
    assert not checkout.orders.get().lines.filter(is_gift=True).exists()
    assert len(checkout.gifts_ran_out) == 1
    assert Stock.objects.get(pk=world.stock["honey"].pk).reserved == 9


def test_expiry_releases_the_gifts_reservation_like_any_line(world, settings):
    sample = sample_of(world)
    gift_for(world, sample)
    user, cart = shopper_with((world.honey, 2))
    checkout = place(user, cart)
    checkouts_expire(now=checkout.expires_at + timedelta(seconds=1))
    stock = Stock.objects.get(sku=sample, warehouse=world.bonded)
    assert stock.reserved == 0
    assert set(
        Allocation.objects.filter(line__order__checkout=checkout).values_list("status", flat=True)
    ) == {Allocation.Status.RELEASED}


def test_a_late_payment_takes_the_gift_again_with_the_goods(world):
    from tests.orders.test_checkout_pay import paid

    sample = sample_of(world)
    gift_for(world, sample)
    user, cart = shopper_with((world.honey, 2))
    checkout = place(user, cart)
    checkouts_expire(now=checkout.expires_at + timedelta(seconds=1))
    checkout_pay(checkout=checkout, payment=paid(checkout))
    checkout.refresh_from_db()
    assert checkout.status == "paid"
    assert Stock.objects.get(sku=sample, warehouse=world.bonded).reserved == 1
    gift = checkout.orders.get().lines.get(is_gift=True)
    assert Allocation.objects.get(line=gift).status == Allocation.Status.ALLOCATED
