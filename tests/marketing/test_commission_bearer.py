"""Who bears the distribution commission (docs/MARKETING.md, "Who bears the commission"): the
merchant by default, the platform the share an operator's rate gives it (only operators, 0 to
100, the coupons' and gifts' rule); frozen on each row, to the fen; refunds take from both
halves in proportion; the seller's order page shows the merchant its own only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from marketing.distribution.ledger import accrue, commissions_refund, reward_account
from marketing.distribution.models import Commission
from marketing.distribution.rates import commission_rate_set
from marketing.distribution.selectors import order_commission_costs
from marketing.distribution.services import (
    distributor_recruit,
    distributor_signup,
    share_click_record,
)
from marketplace.money import Money
from orders.services import order_refund
from tests.factories import OrderFactory, UserFactory
from tests.orders.checkout_helpers import place, shopper_with
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db
D = Decimal


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


def _rate(merchant, *, platform_percent=0, by_operator=True, rate="7", level2="3", rebate="1"):
    return commission_rate_set(
        merchant=merchant, rate=D(rate), level2_rate=D(level2), rebate_rate=D(rebate),
        platform_percent=platform_percent, by_operator=by_operator,
    )  # fmt: skip


def _through_a_link(world, *items):
    """A checkout through a distributor's link, the distributor recruited (level 2) and the
    buyer rebated: three rows per line."""
    recruiter = distributor_signup(user=UserFactory())
    distributor = distributor_signup(user=UserFactory())
    distributor_recruit(distributor=distributor, parent=recruiter)
    buyer, cart = shopper_with(*items)
    share_click_record(code=distributor.code, user=buyer)
    return buyer, place(buyer, cart)


def test_only_operators_make_the_platform_bear_a_share(world):
    with pytest.raises(ValidationError) as refused:
        _rate(world.kiwi, platform_percent=40, by_operator=False)
    assert codes(refused.value) == {"commission_bearer_operator_only"}
    with pytest.raises(ValidationError) as refused:
        _rate(world.kiwi, platform_percent=101)
    assert codes(refused.value) == {"commission_bearer_range"}
    assert _rate(world.kiwi, platform_percent=40).platform_percent == 40


def test_the_merchant_bears_it_by_default(world):
    _buyer, _checkout = _through_a_link(world, (world.honey, 2))
    rows = list(Commission.objects.all())
    assert rows and all(r.merchant_bears == r.amount and r.platform_bears == 0 for r in rows)


def test_the_split_is_frozen_on_each_row_and_sums_to_the_fen(world):
    _rate(world.kiwi, platform_percent=33)
    _rate(world.tokyo)  # an operator's row bearing nothing: the merchant's whole
    _buyer, _checkout = _through_a_link(world, (world.honey, 1), (world.balm, 3), (world.serum, 2))
    rows = list(Commission.objects.order_by("pk"))
    assert {r.role for r in rows} == {"level1", "level2", "rebate"}
    for row in rows:
        assert row.platform_bears + row.merchant_bears == row.amount
        if row.merchant_id == world.kiwi.pk:
            fen = int(row.amount * 100)
            assert row.platform_bears == D((fen * 33 * 2 + 100) // 200) / 100  # half up
            assert row.platform_bears > 0
        else:
            assert row.platform_bears == 0
    _rate(world.kiwi, platform_percent=100)  # a later change changes no row made before
    assert [r.platform_bears for r in Commission.objects.order_by("pk")] == [
        r.platform_bears for r in rows
    ]


def test_refunds_reverse_both_halves_in_proportion():
    account = reward_account(UserFactory())
    rows = [
        Commission(account=account, role="level1", checkout_number="C1", order_id=1,
                   order_line_id=i, merchant_id=1, base=D("1"), rate=D("7"),
                   amount=D("0.07"), platform_bears=D("0.03"), merchant_bears=D("0.04"),
                   currency="CNY")
        for i in (1, 2)
    ]  # fmt: skip
    accrue(rows)
    commissions_refund(order_id=1, reference="r1", amount=D("10"), order_total=D("20"))
    seen = list(Commission.objects.order_by("pk"))
    assert sum(r.reversed for r in seen) == D("0.07")  # half of 0.14
    for row in seen:
        assert row.platform_reversed + row.merchant_reversed == row.reversed
        assert row.platform_reversed <= row.platform_bears
        assert row.merchant_reversed <= row.merchant_bears
        # in proportion, half up in fen: 0.03 × reversed / 0.07
        fen = int(row.reversed * 100)
        assert row.platform_reversed == D((2 * 3 * fen + 7) // 14) / 100
    commissions_refund(order_id=1, reference="r2", amount=D("10"), order_total=D("20"))
    for row in Commission.objects.all():
        assert row.status == "reversed"
        assert (row.platform_reversed, row.merchant_reversed) == (D("0.03"), D("0.04"))
        assert row.platform_net == row.merchant_net == 0


def test_a_refund_through_the_refund_path_keeps_the_halves_summing(
    world, localstripe, pay, deliver
):
    _rate(world.kiwi, platform_percent=25)
    buyer, checkout = _through_a_link(world, (world.honey, 3))
    pay(checkout)
    order = checkout.orders.get()
    third = (order.total / 3).quantize(D("0.01"))
    deliver(order_refund, order=order, amount=Money(third, "CNY"), by=buyer, reason="dented")
    rows = list(Commission.objects.all())
    assert all(r.reversed > 0 for r in rows)
    for row in rows:
        assert row.platform_reversed + row.merchant_reversed == row.reversed
        assert row.platform_net + row.merchant_net == row.amount - row.reversed
        assert row.platform_reversed == (row.platform_bears * row.reversed / row.amount).quantize(
            D("0.01"), "ROUND_HALF_UP"
        )


def test_the_seller_sees_the_commission_on_its_own_orders_only(tenants):
    a, b = tenants.a, tenants.b
    order = OrderFactory(merchant=a.merchant)
    account = reward_account(UserFactory())
    accrue(
        [
            Commission(account=account, role="level1", checkout_number="C9", order_id=order.pk,
                       order_line_id=1, merchant_id=a.merchant.pk, base=D("100"), rate=D("8"),
                       amount=D("8.00"), platform_bears=D("2.00"), merchant_bears=D("6.00"),
                       currency=order.currency),
        ]
    )  # fmt: skip
    url = reverse("seller_orders:detail", args=[order.number])
    page = a.client.get(url).content.decode()
    assert "Distribution commission on this order" in page
    assert 'data-role="level1"' in page and "6.00" in page and "2.00" in page
    assert_cross_tenant_404(url, owner=a.client, intruder=b.client)
    assert order_commission_costs(order_id=order.pk, merchant_id=b.merchant.pk) == []
    [cost] = order_commission_costs(order_id=order.pk, merchant_id=a.merchant.pk)
    assert (cost.amount, cost.merchant_bears, cost.platform_bears) == (D("8"), D("6"), D("2"))
    commissions_refund(order_id=order.pk, reference="r", amount=D("1"), order_total=D("4"))
    [cost] = order_commission_costs(order_id=order.pk, merchant_id=a.merchant.pk)
    assert (cost.amount, cost.merchant_bears, cost.platform_bears) == (D("6"), D("4.5"), D("1.5"))
