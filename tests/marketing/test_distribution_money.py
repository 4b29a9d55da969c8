"""Distribution's money: rates by scope (most specific wins, merchants within the operator's
bounds), two levels (cycles refused), the freeze until the order completes (the merchant's
return window, however long) and the confirmation then, proportional reversal on refunds to the fen (through the real
refund path and localstripe), the append-only ledger, withdrawals (PostgreSQL threads; back
office review), the buyer's rebate, and the API."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from logistics.returns.models import ReturnPolicy
from logistics.returns.services import orders_complete_due
from marketing.distribution.ledger import (
    accrue,
    balance,
    commissions_confirm,
    commissions_refund,
    reward_account,
    withdrawal_reject,
    withdrawal_request,
)
from marketing.distribution.models import Commission, LedgerEntry, Upline, Withdrawal
from marketing.distribution.rates import LineScope, commission_rate_set, rates_for
from marketing.distribution.services import (
    distributor_recruit,
    distributor_signup,
    share_click_record,
)
from marketplace.money import Money
from marketplace.transitions import IllegalTransition
from orders.flow import ORDER_FLOW
from orders.models import OrderEvent
from orders.services import order_refund
from tests.factories import CategoryFactory, MerchantFactory, ProductFactory, UserFactory
from tests.orders.checkout_helpers import place, shopper_with
from tests.orders.conftest import deliver, pay  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
D = Decimal
B = LedgerEntry.Bucket


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


def _set(merchant, rate, level2="1", rebate="0", by_operator=True, **scope):
    return commission_rate_set(
        merchant=merchant,
        rate=D(rate),
        level2_rate=D(level2),
        rebate_rate=D(rebate),
        by_operator=by_operator,
        **scope,
    )


def test_the_most_specific_rate_wins():
    merchant = MerchantFactory()
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    plain = ProductFactory(merchant=merchant, category=child)
    special = ProductFactory(merchant=merchant, category=child)
    elsewhere = ProductFactory(merchant=merchant)
    other = ProductFactory(category=child)  # another merchant's, same category

    def rate(product):
        scope = LineScope(product.merchant_id, product.pk, product.category_id)
        return rates_for([scope])[0].rate

    assert rate(plain) == D("5")  # the settings
    _set(merchant, "6")
    assert rate(plain) == rate(elsewhere) == D("6.00")
    _set(merchant, "7", category=parent)  # an ancestor's row counts for the child
    assert rate(plain) == D("7.00") and rate(elsewhere) == D("6.00")
    _set(merchant, "8", category=child)
    assert rate(plain) == D("8.00")
    _set(merchant, "9", product=special)
    assert rate(special) == D("9.00") and rate(plain) == D("8.00")
    assert rate(other) == D("5")  # one merchant's rows never touch another's goods


def test_merchants_set_rates_within_the_operators_bounds(settings):
    settings.DISTRIBUTION_MERCHANT_MAX_PERCENT = "20"
    merchant = MerchantFactory()
    with pytest.raises(ValidationError) as refused:
        _set(merchant, "25", by_operator=False)
    assert codes(refused.value) == {"rate_out_of_bounds"}
    with pytest.raises(ValidationError) as refused:
        _set(merchant, "10", level2="12", by_operator=False)
    assert codes(refused.value) == {"rate_parts_exceed"}
    with pytest.raises(ValidationError) as refused:
        _set(merchant, "10", by_operator=False, product=ProductFactory())
    assert codes(refused.value) == {"rate_product_unknown"}
    assert _set(merchant, "10", by_operator=False).set_by == "merchant"
    _set(merchant, "25")  # the operator may go beyond the bounds, and then it is theirs
    with pytest.raises(ValidationError) as refused:
        _set(merchant, "10", by_operator=False)
    assert codes(refused.value) == {"rate_set_by_operator"}


def test_two_levels_and_no_cycles(world):
    recruiter = distributor_signup(user=UserFactory())
    seller_user = UserFactory()
    share_click_record(code=recruiter.code, user=seller_user)
    seller = distributor_signup(user=seller_user)  # recruited by the link they opened
    assert Upline.objects.get(distributor=seller).parent == recruiter
    _set(world.kiwi, "10", level2="2", rebate="1")

    buyer, cart = shopper_with((world.honey, 2))
    share_click_record(code=seller.code, user=buyer)
    place(buyer, cart)

    paid = D("398.00")
    by_role = {c.role: c for c in Commission.objects.all()}
    assert by_role["level1"].account.user == seller_user and by_role["level1"].amount == D("39.80")
    assert by_role["level2"].account.user == recruiter.user and by_role["level2"].amount == D(
        "7.96"
    )
    assert by_role["rebate"].account.user == buyer and by_role["rebate"].amount == D("3.98")
    assert all(c.base == paid and c.status == "frozen" for c in by_role.values())
    assert balance(by_role["level2"].account_id, "CNY", B.PENDING) == D("7.96")

    with pytest.raises(ValidationError) as refused:
        distributor_recruit(distributor=recruiter, parent=seller)
    assert codes(refused.value) == {"recruit_cycle"}
    third = distributor_signup(user=UserFactory())
    with pytest.raises(ValidationError) as refused:
        distributor_recruit(distributor=third, parent=third)
    assert codes(refused.value) == {"recruit_self"}
    distributor_recruit(distributor=third, parent=seller)
    with pytest.raises(ValidationError) as refused:  # recruiter ← seller ← third ← recruiter
        Upline.objects.filter(distributor=recruiter).delete()
        distributor_recruit(distributor=recruiter, parent=third)
    assert codes(refused.value) == {"recruit_cycle"}


def _delivered_through_a_link(world, pay_with, *, window_days):
    """A buyer who came through a distributor's link; their order of lip balms from Kiwi
    Nature (return window ``window_days``), paid and delivered now."""
    ReturnPolicy.objects.create(merchant=world.kiwi, window_days=window_days)
    distributor = distributor_signup(user=UserFactory())
    buyer, cart = shopper_with((world.balm, 2))
    share_click_record(code=distributor.code, user=buyer)
    checkout = place(buyer, cart)
    pay_with(checkout)
    order = checkout.orders.get()
    for move in ("pack", "ship", "deliver"):
        ORDER_FLOW.apply(order, move, by=None, event_model=OrderEvent)
    return buyer, order, distributor


def test_commission_stays_frozen_through_a_14_day_window_and_is_confirmed_at_completion(
    world,
    localstripe,
    pay,  # noqa: F811
    deliver,  # noqa: F811
    settings,
):
    settings.DISTRIBUTION_REBATE_PERCENT = "1"
    buyer, order, distributor = _delivered_through_a_link(world, pay, window_days=14)
    now = timezone.now()
    # day 8: past the old fixed 7 days, inside the merchant's 14: nothing is confirmed
    assert deliver(orders_complete_due, now=now + timedelta(days=8)) == 0
    assert set(Commission.objects.values_list("status", flat=True)) == {"frozen"}
    seller = reward_account(distributor.user)
    assert balance(seller.pk, "CNY", B.AVAILABLE) == 0
    assert balance(seller.pk, "CNY", B.PENDING) == D("3.90")  # 5 % of 78.00

    assert deliver(orders_complete_due, now=now + timedelta(days=14, minutes=1)) == 1
    order.refresh_from_db()
    assert order.status == "completed"
    assert set(Commission.objects.values_list("status", flat=True)) == {"confirmed"}
    assert balance(seller.pk, "CNY", B.PENDING) == 0
    assert balance(seller.pk, "CNY", B.AVAILABLE) == D("3.90")
    rebate = reward_account(buyer)
    assert balance(rebate.pk, "CNY", B.AVAILABLE) == D("0.78")  # the buyer's cashback
    # completing again confirms nothing twice
    assert commissions_confirm(order_id=order.pk) == 0


def test_a_refund_before_completion_reverses_in_proportion_then_the_rest_is_confirmed(
    world,
    localstripe,
    pay,  # noqa: F811
    deliver,  # noqa: F811
):
    buyer, order, distributor = _delivered_through_a_link(world, pay, window_days=14)
    commission = Commission.objects.get(role="level1")
    quarter = (order.total / 4).quantize(D("0.01"))
    deliver(order_refund, order=order, amount=Money(quarter, "CNY"), by=buyer, reason="dented")
    commission.refresh_from_db()
    expected = (commission.amount * 100 * quarter / order.total).quantize(D("1"), "ROUND_HALF_UP")
    assert commission.reversed == expected / 100 and commission.status == "frozen"

    assert deliver(orders_complete_due, now=timezone.now() + timedelta(days=15)) == 1
    commission.refresh_from_db()
    assert commission.status == "confirmed"
    seller = reward_account(distributor.user)
    assert balance(seller.pk, "CNY", B.AVAILABLE) == commission.amount - commission.reversed
    assert balance(seller.pk, "CNY", B.PENDING) == 0


def test_refunds_reverse_in_proportion_to_the_fen():
    """Three lines of 0.01, 0.01 and 0.01 of commission; a third of the order refunded
    reverses 0.01 (largest remainder: the first line), the rest reverses what is left."""
    user = UserFactory()
    account = reward_account(user)
    rows = [
        Commission(account=account, role="level1", checkout_number="C1", order_id=1,
                   order_line_id=i, merchant_id=1, base=D("1"), rate=D("1"),
                   amount=D("0.01"), currency="CNY")
        for i in (1, 2, 3)
    ]  # fmt: skip
    accrue(rows)
    assert commissions_refund(order_id=1, reference="r1", amount=D("10"), order_total=D("30")) == 1
    assert [c.reversed for c in Commission.objects.order_by("pk")] == [D("0.01"), 0, 0]
    assert commissions_refund(order_id=1, reference="r1", amount=D("10"), order_total=D("30")) == 0
    commissions_refund(order_id=1, reference="r2", amount=D("20"), order_total=D("30"))
    assert set(Commission.objects.values_list("status", flat=True)) == {"reversed"}
    assert balance(account.pk, "CNY", B.PENDING) == 0


def test_a_partial_refund_reverses_through_the_refund_path(world, localstripe, pay, deliver):  # noqa: F811
    distributor = distributor_signup(user=UserFactory())
    buyer, cart = shopper_with((world.serum, 3))
    share_click_record(code=distributor.code, user=buyer)
    checkout = place(buyer, cart)
    pay(checkout)
    order = checkout.orders.get()
    commission = Commission.objects.get()
    quarter = (order.total / 4).quantize(D("0.01"))
    deliver(order_refund, order=order, amount=Money(quarter, "CNY"), by=buyer, reason="dented")
    commission.refresh_from_db()
    f = 100
    expected = (commission.amount * f * quarter / order.total).quantize(D("1"), "ROUND_HALF_UP")
    assert commission.reversed == expected / f and commission.status == "frozen"
    account = commission.account_id
    assert balance(account, "CNY", B.PENDING) == commission.amount - commission.reversed
    deliver(order_refund, order=order, amount=None, by=buyer, reason="returned")
    commission.refresh_from_db()
    assert commission.status == "reversed" and balance(account, "CNY", B.PENDING) == 0


def test_an_expired_checkout_reverses_every_commission(world):
    from orders.services import checkouts_expire

    distributor = distributor_signup(user=UserFactory())
    buyer, cart = shopper_with((world.balm, 1))
    share_click_record(code=distributor.code, user=buyer)
    checkout = place(buyer, cart)
    checkouts_expire(now=checkout.expires_at + timedelta(seconds=1))
    assert Commission.objects.get().status == "reversed"
    assert balance(reward_account(distributor.user).pk, "CNY", B.PENDING) == 0


def test_the_ledger_is_append_only():
    account = reward_account(UserFactory())
    entry = LedgerEntry.objects.create(
        account=account, bucket=B.AVAILABLE, kind="confirm", amount=D("1"), currency="CNY"
    )
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("2"))
    with pytest.raises(ValidationError):
        LedgerEntry.objects.all().delete()


def _available(user, amount: str):
    account = reward_account(user)
    LedgerEntry.objects.create(
        account=account, bucket=B.AVAILABLE, kind="confirm", amount=D(amount), currency="CNY"
    )
    return account


@pytest.mark.django_db(transaction=True)
def test_concurrent_withdrawals_never_overdraw(settings):
    """10 threads ask for 30.00 each of a balance of 100.00: exactly 3 pass, 10.00 is left."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert connection.vendor == "postgresql"
    user = UserFactory()
    account = _available(user, "100.00")
    start = threading.Barrier(10)

    def ask(_i):
        start.wait(timeout=20)
        try:
            withdrawal_request(user=user, amount=Money("30.00", "CNY"))
            return "ok"
        except ValidationError as exc:
            return ",".join(sorted(codes(exc)))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(ask, range(10)))
    assert outcomes.count("ok") == 3
    assert set(outcomes) == {"ok", "withdrawal_exceeds_balance"}
    assert balance(account.pk, "CNY", B.AVAILABLE) == D("10.00")
    assert Withdrawal.objects.count() == 3


def test_operators_approve_or_reject_with_a_reason(client_for, operator):
    user = UserFactory()
    account = _available(user, "50.00")
    first = withdrawal_request(user=user, amount=Money("20.00", "CNY"))
    second = withdrawal_request(user=user, amount=Money("30.00", "CNY"))
    assert balance(account.pk, "CNY", B.AVAILABLE) == 0
    with pytest.raises(ValidationError) as refused:
        withdrawal_request(user=user, amount=Money("0.01", "CNY"))
    assert codes(refused.value) == {"withdrawal_exceeds_balance"}

    office = client_for(operator)
    url = reverse("admin:marketing_withdrawal_change", args=[second.pk])
    page = office.post(url, {"decision": "reject", "review_reason": ""})
    assert page.status_code == 200 and "Please give a reason." in page.content.decode()
    office.post(url, {"decision": "reject", "review_reason": "Identity not verified"})
    second.refresh_from_db()
    assert second.status == "rejected" and second.reason == "Identity not verified"
    assert balance(account.pk, "CNY", B.AVAILABLE) == D("30.00")

    office.post(
        reverse("admin:marketing_withdrawal_changelist"),
        {"action": "approve_withdrawals", "_selected_action": [first.pk]},
    )
    first.refresh_from_db()
    assert first.status == "approved"
    with pytest.raises(IllegalTransition):  # a decided withdrawal moves no more
        withdrawal_reject(withdrawal=first, by=operator, reason="late")
    assert balance(account.pk, "CNY", B.AVAILABLE) == D("30.00")


def test_the_api_signs_up_shows_figures_and_takes_withdrawals(client_for):
    user = UserFactory()
    api = client_for(user)
    assert api.get("/api/v1/distribution/").json() == {"distributor": None, "figures": None}
    body = api.post("/api/v1/distribution/").json()
    assert body["distributor"]["code"] and body["figures"]["pending"] == "0.00"
    _available(user, "12.00")
    refused = api.post(
        "/api/v1/distribution/withdrawals/", {"amount": "12.01"}, content_type="application/json"
    )
    assert refused.status_code == 400 and "withdrawal_exceeds_balance" in refused.content.decode()
    made = api.post(
        "/api/v1/distribution/withdrawals/", {"amount": "12.00"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["status"] == "requested"
    figures = api.get("/api/v1/distribution/").json()["figures"]
    assert figures["available"] == "0.00" and figures["in_review"] == "12.00"
    assert api.get("/api/v1/distribution/withdrawals/").json()["results"][0]["amount"] == "12.00"
    assert api.get("/api/v1/distribution/commissions/").json() == {"results": []}
    schema = client_for(user).get("/api/schema/").content.decode()
    assert "/api/v1/distribution/withdrawals/" in schema
