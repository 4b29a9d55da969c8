"""Gifts with purchase (满赠) in the one pricing pipeline: the ``gift`` step gives the gift
SKU at price 0 to each order (shipping group) whose goods of the merchant still cost the
threshold after sale prices, spend-and-save and coupons; it takes nothing off the goods.
And the rules of creating one (own SKU only, operators alone share the cost)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from marketing.gifts.services import checkout_gifts, gift_promotion_create
from marketing.pricing import (
    STEPS,
    GiftOffer,
    Kind,
    Line,
    Promotion,
    Step,
    price_order,
)
from merchants.roles import Role
from tests.factories import (
    MembershipFactory,
    MerchantFactory,
    OperatorFactory,
    ProductFactory,
    SKUFactory,
    UserFactory,
)

D = Decimal


def line(key, merchant, price, qty=1, group="g1"):
    return Line(key=key, merchant_id=merchant, quantity=qty, unit_price=D(price), group=group)


GIFT = GiftOffer(ref="gift:1", merchant_id=7, threshold=D("299"), sku_id=70, quantity=2)


def test_the_gift_step_sits_after_coupons_and_before_points():
    assert STEPS.index(Step.COUPON) < STEPS.index(Step.GIFT) < STEPS.index(Step.POINTS)


def test_an_order_reaching_the_threshold_gets_the_gift_at_no_cost_to_the_goods():
    result = price_order(
        lines=[line("a", 7, "200"), line("b", 7, "99.00")], currency="CNY", gifts=[GIFT]
    )
    assert [(g.ref, g.group, g.sku_id, g.quantity) for g in result.gifts] == [
        ("gift:1", "g1", 70, 2)
    ]
    assert result.order_discount == 0 and result.total == D("299.00")


def test_the_threshold_counts_what_the_goods_cost_after_coupons():
    coupon = Promotion(ref="c", step=Step.COUPON, kind=Kind.FIXED, amount=D("10"))
    result = price_order(
        lines=[line("a", 7, "300")], currency="CNY", promotions=[coupon], gifts=[GIFT]
    )
    assert result.gifts == []  # 290 left: below 299
    assert [(r.ref, r.code) for r in result.refused] == [("gift:1", "below_threshold")]


def test_each_order_of_the_merchant_is_counted_on_its_own_and_others_goods_do_not_count():
    result = price_order(
        lines=[
            line("a", 7, "300", group="bonded"),
            line("b", 7, "100", group="direct"),
            line("c", 8, "500", group="direct"),
        ],
        currency="CNY",
        gifts=[GIFT],
    )
    assert [g.group for g in result.gifts] == ["bonded"]
    other = price_order(lines=[line("c", 8, "500")], currency="CNY", gifts=[GIFT])
    assert other.gifts == [] and other.refused[0].code == "nothing_covered"


def window():
    now = timezone.now()
    return {"starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=3)}


@pytest.mark.django_db
def test_a_merchant_gives_its_own_sku_and_cannot_make_the_platform_pay():
    owner = MembershipFactory(role=Role.OWNER)
    merchant = owner.merchant
    sample = SKUFactory(product=ProductFactory(merchant=merchant))
    theirs = SKUFactory(product=ProductFactory(merchant=MerchantFactory()))

    with pytest.raises(ValidationError) as refused:
        gift_promotion_create(
            merchant=merchant,
            by=owner.user,
            title="满299赠小样",
            gift_sku=theirs,
            threshold="299",
            platform_percent=50,
            **window(),
        )
    codes = {e.code for errors in refused.value.error_dict.values() for e in errors}
    assert codes == {"gift_sku_unknown", "gift_bearer_operator_only"}
    with pytest.raises(PermissionDenied):
        gift_promotion_create(
            merchant=merchant, by=UserFactory(), title="x", gift_sku=sample, threshold="1",
            **window(),
        )  # fmt: skip

    gift = gift_promotion_create(
        merchant=merchant,
        by=owner.user,
        title="满299赠小样",
        gift_sku=sample,
        quantity=2,
        threshold="299",
        **window(),
    )
    shared = gift_promotion_create(
        merchant=merchant,
        by=OperatorFactory(),
        title="平台分担",
        gift_sku=sample,
        threshold="599",
        platform_percent=50,
        **window(),
    )
    offers = checkout_gifts(currency="CNY", merchant_ids={merchant.pk})
    assert [(o.ref, o.sku_id, o.quantity, o.bearer.platform_percent) for o in offers] == [
        (f"gift:{gift.pk}", sample.pk, 2, 0),
        (f"gift:{shared.pk}", sample.pk, 1, 50),
    ]
    assert checkout_gifts(currency="CNY", merchant_ids={merchant.pk + 999}) == []
