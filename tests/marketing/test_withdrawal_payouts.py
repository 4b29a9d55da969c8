"""Payouts of approved withdrawals (docs/MARKETING.md, "Withdrawals"): requested → approved →
paid, once, with the payout's reference and time (required; operators in the back office);
rejected and paid are final; two "mark paid" at once (PostgreSQL threads) pay once; the
distributor's dashboard and the API show it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from marketing.distribution.ledger import (
    balance,
    reward_account,
    withdrawal_approve,
    withdrawal_pay,
    withdrawal_reject,
    withdrawal_request,
)
from marketing.distribution.models import LedgerEntry, Withdrawal, WithdrawalEvent
from marketing.distribution.services import distributor_signup
from marketplace.money import Money
from marketplace.transitions import IllegalTransition
from tests.factories import OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
B = LedgerEntry.Bucket


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


def _approved(amount: str = "20.00", user=None) -> Withdrawal:
    user = user or UserFactory()
    LedgerEntry.objects.create(
        account=reward_account(user),
        bucket=B.AVAILABLE,
        kind="confirm",
        amount=D(amount),
        currency="CNY",
    )
    withdrawal = withdrawal_request(user=user, amount=Money(amount, "CNY"))
    return withdrawal_approve(withdrawal=withdrawal, by=OperatorFactory())


def test_an_approved_withdrawal_is_paid_once_with_its_reference_and_time():
    withdrawal = _approved()
    operator = OperatorFactory()
    when = timezone.now() - timedelta(hours=1)
    withdrawal_pay(withdrawal=withdrawal, by=operator, reference=" BOC-20261203-001 ", paid_at=when)

    withdrawal.refresh_from_db()
    assert withdrawal.status == "paid" and withdrawal.payout_reference == "BOC-20261203-001"
    assert withdrawal.paid_at == when
    event = WithdrawalEvent.objects.get(subject=withdrawal, transition="pay")
    assert (event.from_state, event.to_state, event.actor) == ("approved", "paid", operator)
    # the amount left the balance at the request; paying moves no money in the ledger
    assert balance(withdrawal.account_id, "CNY", B.AVAILABLE) == 0

    with pytest.raises(IllegalTransition):  # once
        withdrawal_pay(withdrawal=withdrawal, by=operator, reference="again", paid_at=when)
    with pytest.raises(IllegalTransition):  # paid is final
        withdrawal_reject(withdrawal=withdrawal, by=operator, reason="too late")
    withdrawal.refresh_from_db()
    assert withdrawal.payout_reference == "BOC-20261203-001"


def test_only_an_approved_withdrawal_is_paid_and_the_payout_needs_its_facts():
    user = UserFactory()
    LedgerEntry.objects.create(
        account=reward_account(user),
        bucket=B.AVAILABLE,
        kind="confirm",
        amount=D("9"),
        currency="CNY",
    )
    requested = withdrawal_request(user=user, amount=Money("4.00", "CNY"))
    now = timezone.now()
    with pytest.raises(IllegalTransition):  # not approved yet
        withdrawal_pay(withdrawal=requested, by=None, reference="R1", paid_at=now)
    rejected = withdrawal_request(user=user, amount=Money("5.00", "CNY"))
    withdrawal_reject(withdrawal=rejected, by=None, reason="no")
    with pytest.raises(IllegalTransition):  # rejected is final
        withdrawal_pay(withdrawal=rejected, by=None, reference="R2", paid_at=now)

    approved = _approved()
    for reference, paid_at, code in (
        ("  ", now, "payout_reference_required"),
        ("R3", None, "payout_time_required"),
        ("R3", now + timedelta(hours=1), "payout_time_future"),
    ):
        with pytest.raises(ValidationError) as refused:
            withdrawal_pay(withdrawal=approved, by=None, reference=reference, paid_at=paid_at)
        assert codes(refused.value) == {code}
    approved.refresh_from_db()
    assert approved.status == "approved" and approved.paid_at is None
    # the table holds the rule too: paid without a reference cannot be written
    with pytest.raises(IntegrityError), transaction.atomic():
        Withdrawal.objects.filter(pk=approved.pk).update(status="paid")


@pytest.mark.django_db(transaction=True)
def test_two_mark_paid_at_once_pay_once(settings):
    """Two operators (or a double click) mark the same withdrawal paid at the same instant:
    the account's lock makes them take turns; the second finds it paid and is refused."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert connection.vendor == "postgresql"
    withdrawal = _approved()
    start = threading.Barrier(2)
    when = timezone.now() - timedelta(minutes=5)

    def mark(reference):
        start.wait(timeout=20)
        try:
            copy = Withdrawal.objects.get(pk=withdrawal.pk)  # each read it approved
            withdrawal_pay(withdrawal=copy, by=None, reference=reference, paid_at=when)
            return reference
        except IllegalTransition:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(mark, ["WX-A", "WX-B"]))
    assert sorted(outcomes)[-1] == "refused" and outcomes.count("refused") == 1
    withdrawal.refresh_from_db()
    assert withdrawal.status == "paid"
    assert withdrawal.payout_reference == next(o for o in outcomes if o != "refused")
    assert WithdrawalEvent.objects.filter(subject=withdrawal, transition="pay").count() == 1


def test_operators_mark_paid_in_the_back_office(client_for, operator):
    withdrawal = _approved()
    office = client_for(operator)
    url = reverse("admin:marketing_withdrawal_change", args=[withdrawal.pk])
    page = office.post(url, {"decision": "pay", "payout_ref": "", "payout_paid_at": ""})
    assert page.status_code == 200 and "Enter the payout&#x27;s reference." in page.content.decode()
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    page = office.post(url, {"decision": "pay", "payout_ref": "R9", "payout_paid_at": later})
    assert "The payout time is in the future." in page.content.decode()
    withdrawal.refresh_from_db()
    assert withdrawal.status == "approved"

    when = timezone.localtime() - timedelta(hours=2)
    office.post(
        url,
        {
            "decision": "pay",
            "payout_ref": "ICBC 6222-0001",
            "payout_paid_at": when.strftime("%Y-%m-%d %H:%M:%S"),
        },
    )
    withdrawal.refresh_from_db()
    assert withdrawal.status == "paid" and withdrawal.payout_reference == "ICBC 6222-0001"
    listing = office.get(reverse("admin:marketing_withdrawal_changelist")).content.decode()
    assert "Paid" in listing  # the list shows the status and the paid time


def test_the_dashboard_and_the_api_show_the_payout(client_for):
    user = UserFactory()
    distributor_signup(user=user)
    withdrawal = _approved("12.00", user=user)
    browser = client_for(user)
    page = browser.get(reverse("distribution:dashboard")).content.decode()
    assert f'data-withdrawal="{withdrawal.pk}" data-status="approved"' in page
    assert 'data-figure="withdrawn">12.00<' in page and 'data-figure="paid_out">0.00<' in page

    when = timezone.now() - timedelta(hours=1)
    withdrawal_pay(withdrawal=withdrawal, by=None, reference="WXPAY-778", paid_at=when)
    page = browser.get(reverse("distribution:dashboard")).content.decode()
    assert f'data-withdrawal="{withdrawal.pk}" data-status="paid"' in page
    assert "WXPAY-778" in page
    assert 'data-figure="withdrawn">12.00<' in page and 'data-figure="paid_out">12.00<' in page
    row = browser.get("/api/v1/distribution/withdrawals/").json()["results"][0]
    assert row["status"] == "paid" and row["payout_reference"] == "WXPAY-778"
    assert row["paid_at"] == when.isoformat()
    assert browser.get("/api/v1/distribution/").json()["figures"]["paid_out"] == "12.00"

    zh = browser.get("/zh-hans/distribution/").content.decode()
    assert "已付款" in zh and "WXPAY-778" in zh
