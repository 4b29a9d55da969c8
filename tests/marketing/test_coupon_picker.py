"""The coupon picker on the checkout page (a form, no JavaScript): the shopper's claimed
coupons with what each saves on this checkout or why it does not apply, the best pick ticked
and priced on the page, a changed pick and a typed code applied on "Apply coupons", and the
placed orders priced exactly as the page showed (docs/MARKETING.md, "Coupon picker")."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from marketing.coupons.services import coupon_claim, coupon_create
from marketing.models import CouponClaim
from orders.models import Checkout
from orders.services import cart_add, cart_for_user
from tests.customs.conftest import make_id_number
from tests.factories import OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
CHECKOUT = "/en/checkout/"
ZH_CHECKOUT = "/zh-hans/checkout/"


def coupon(merchant, title, amount, threshold, **extra):
    now = timezone.now()
    return coupon_create(
        merchant=merchant,
        by=None if merchant else OperatorFactory(),
        title=title,
        kind="fixed",
        amount=str(amount),
        threshold=str(threshold),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
        **extra,
    )


@pytest.fixture
def shopper(world):
    """Two honeys of Kiwi Nature (398.00) in the cart, bound for Hangzhou, and four claimed
    coupons: two of Kiwi's that apply (10 off 100, 25 off 300), the platform's 50 off 1,000
    (not reached) and Tokyo Beauty's (nothing of theirs in the cart)."""
    user = UserFactory()
    cart_add(cart=cart_for_user(user=user), sku_id=world.honey.pk, quantity=2, destination="CN")
    claims = {
        name: coupon_claim(coupon=coupon(merchant, title, amount, threshold), user=user)
        for name, merchant, title, amount, threshold in (
            ("kiwi10", world.kiwi, "Kiwi 10 off", 10, 100),
            ("kiwi25", world.kiwi, "Kiwi 25 off", 25, 300),
            ("big", None, "Platform 50 off", 50, 1000),
            ("tokyo", world.tokyo, "Tokyo 15 off", 15, 0),
        )
    }
    client = Client()
    client.force_login(user)
    client.post("/en/cart/destination/", {"country": "CN", "province": "CN-ZJ"})
    return user, client, claims


def row(page: str, claim) -> str:
    found = re.search(rf'<label class="coupon-choice[^"]*" data-claim="{claim.pk}">(.*?)</label>',
                      page, re.S)  # fmt: skip
    assert found, f"no row for claim {claim.pk}"
    return re.sub(r"\s+", " ", found.group(0))


def discount(page: str) -> str:
    """The order's promotions line (shopper's currency, then the listing price in yuan)."""
    found = re.search(r'<p class="group-discount">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


def ticked(page: str, claim) -> bool:
    return f'name="coupon" value="{claim.pk}" checked' in row(page, claim)


def address(**extra):
    return {
        "address-country": "CN",
        "address-province": "CN-ZJ",
        "address-name": "张三",
        "address-phone": "13800138000",
        "address-city": "杭州",
        "address-district": "西湖区",
        "address-lines": "文三路 90 号",
        "identity-name": "张三",
        "identity-id_number": make_id_number(7),
        **extra,
    }


def test_the_best_coupon_is_ticked_and_the_others_say_why_not(shopper):
    _user, client, claims = shopper

    page = client.get(CHECKOUT).content.decode()

    assert ticked(page, claims["kiwi25"]) and "Applied: saves" in row(page, claims["kiwi25"])
    assert "25.00" in row(page, claims["kiwi25"])
    # the other Kiwi coupon applies too, but only one coupon per merchant: not ticked
    assert not ticked(page, claims["kiwi10"]) and "Would save" in row(page, claims["kiwi10"])
    assert "Spend CN¥1,000.00 on the goods it covers" in row(page, claims["big"])
    assert "None of the goods in this checkout is covered" in row(page, claims["tokyo"])
    assert not ticked(page, claims["big"]) and not ticked(page, claims["tokyo"])
    # the page prices the pick: the order shows the discount
    assert "Promotions and coupons" in discount(page) and "CN¥25.00" in discount(page)


def test_a_changed_pick_and_a_typed_code_apply_and_the_order_is_priced_as_shown(shopper):
    user, client, claims = shopper
    coupon(None, "Welcome 20", 20, 0, code="WELCOME20")

    # the shopper picks the smaller Kiwi coupon and types the platform's code
    page = client.post(
        CHECKOUT,
        address(
            **{
                "action": "update",
                "coupons-shown": "1",
                "coupon": [str(claims["kiwi10"].pk)],
                "address-coupon_code": "welcome20",
            }
        ),
    ).content.decode()
    typed = CouponClaim.objects.get(user=user, coupon__code="WELCOME20")
    assert ticked(page, claims["kiwi10"]) and ticked(page, typed)
    assert not ticked(page, claims["kiwi25"])
    assert "CN¥30.00" in discount(page)  # 10 + 20

    # ticking both Kiwi coupons: the second is refused with the stacking rule
    page = client.post(
        CHECKOUT,
        address(
            **{
                "action": "update",
                "coupons-shown": "1",
                "coupon": [str(claims["kiwi10"].pk), str(claims["kiwi25"].pk), str(typed.pk)],
            }
        ),
    ).content.decode()
    assert "One coupon per merchant and one platform coupon per order" in row(
        page, claims["kiwi25"]
    )

    response = client.post(
        CHECKOUT,
        address(
            **{
                "action": "place",
                "coupons-shown": "1",
                "coupon": [str(claims["kiwi10"].pk), str(typed.pk)],
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    checkout = Checkout.objects.get(user=user)
    order = checkout.orders.get()
    assert order.discount_total == D("30.00")
    used = set(
        CouponClaim.objects.filter(checkout_number=checkout.number).values_list("pk", flat=True)
    )
    assert used == {claims["kiwi10"].pk, typed.pk}
    claims["kiwi25"].refresh_from_db()
    assert claims["kiwi25"].status == CouponClaim.Status.AVAILABLE


def test_an_unknown_code_is_refused_on_its_field_in_chinese(shopper):
    _user, client, _claims = shopper

    page = client.post(
        ZH_CHECKOUT,
        address(**{"action": "update", "coupons-shown": "1", "address-coupon_code": "NOPE"}),
    ).content.decode()

    assert "优惠券" in page and "没有使用该券码的优惠券" in page


def test_someone_elses_claim_cannot_be_ticked(shopper, world):
    _user, client, _claims = shopper
    stranger = UserFactory()
    theirs = coupon_claim(coupon=coupon(world.kiwi, "Theirs", 30, 0), user=stranger)

    page = client.post(
        CHECKOUT,
        address(**{"action": "update", "coupons-shown": "1", "coupon": [str(theirs.pk)]}),
    ).content.decode()

    assert f'data-claim="{theirs.pk}"' not in page
    assert "group-discount" not in page


def test_with_no_coupon_the_box_says_so_and_not_the_rule_of_the_pick(world):
    """Nothing to tick, so no "the best coupons are ticked for you" under "you have none"."""
    user = UserFactory()
    cart_add(cart=cart_for_user(user=user), sku_id=world.honey.pk, quantity=1, destination="CN")
    client = Client()
    client.force_login(user)
    client.post("/zh-hans/cart/destination/", {"country": "CN", "province": "CN-ZJ"})

    zh = client.get(ZH_CHECKOUT).content.decode()
    en = client.get(CHECKOUT).content.decode()

    assert "您没有可用的优惠券" in zh and "已为您勾选最优惠的券" not in zh
    assert "You have no coupons to use" in en and "The best coupons are ticked" not in en


def test_with_coupons_the_box_says_the_rule_of_the_pick_in_chinese(shopper):
    _user, client, _claims = shopper

    page = client.get(ZH_CHECKOUT).content.decode()

    assert "已为您勾选最优惠的券：每个订单每个商家限用一张、平台券限用一张。" in page
    assert "您没有可用的优惠券" not in page
