"""Distribution's money movements (docs/MARKETING.md, "Commission, ledger, withdrawals").

Every movement is a ``LedgerEntry`` (append-only) of a ``RewardAccount``, written under that
account's row lock (``lock_reward_accounts``, slot 13's tail), and so is every change of a
``Commission`` row or a ``Withdrawal``. Buckets: ``pending`` holds frozen commission,
``available`` the confirmed balance a withdrawal may take.

- accrue: checkout writes one commission per order line and beneficiary, pending.
- confirm, only when the order completes (``orders.services.completion.order_complete``:
  its merchant's return window passed with no return open; outbox
  ``orders.commissions_confirm``): its frozen commission moves from pending to available
  (two entries). Nothing else confirms: a merchant's window of any length is waited for.
- reverse: a refund of an order reverses its frozen commission in proportion to what was
  refunded of the order's total, to the fen (largest remainder over the lines); once per
  refund reference. Confirmed commission is not clawed back (the return window is over).
  Each reversal takes from the platform's and the merchant's part of the row in proportion
  (``Commission.platform_reversed``): settlement charges the merchant only what it still bears.
- withdraw: a request takes the amount out of available at once (never below zero: checked
  under the account lock); an operator approves it or rejects it (the amount comes back).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.money import Money, minor_unit
from marketplace.rules import field_error

from ..models import Referral
from ..pricing import allocate
from .flow import WITHDRAWAL_FLOW
from .lock_objects import lock_reward_accounts
from .models import (
    Commission,
    LedgerEntry,
    OrderRefundSeen,
    RewardAccount,
    Withdrawal,
    WithdrawalEvent,
)

B, K, C = LedgerEntry.Bucket, LedgerEntry.Kind, Commission.Status


def reward_account(user) -> RewardAccount:
    account, _created = RewardAccount.objects.get_or_create(user=user)
    return account


def balance(account_id: int, currency: str, bucket: str) -> Decimal:
    total = LedgerEntry.objects.filter(
        account_id=account_id, currency=currency, bucket=bucket
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0")


def _factor(currency: str) -> int:
    return 10 ** minor_unit(currency)


def accrue(commissions: list[Commission]) -> None:
    """Write new commission rows and their pending entries (inside the caller's transaction).
    A row made without its split (``platform_bears``, ``merchant_bears``) is the merchant's
    to bear whole — the default of docs/MARKETING.md, "Who bears the commission"."""
    commissions = [c for c in commissions if c.amount > 0]
    if not commissions:
        return
    lock_reward_accounts(c.account_id for c in commissions)
    for commission in commissions:
        if not commission.platform_bears and not commission.merchant_bears:
            commission.merchant_bears = commission.amount
        commission.save()
        LedgerEntry.objects.create(
            account_id=commission.account_id,
            bucket=B.PENDING,
            kind=K.ACCRUE,
            amount=commission.amount,
            currency=commission.currency,
            commission=commission,
            note=commission.checkout_number,
        )


def _reverse_rows(rows: list[Commission], targets: list[Decimal], note: str) -> None:
    """Raise each row's ``reversed`` to its target (pending entries for the difference)."""
    for row, target in zip(rows, targets, strict=True):
        delta = target - row.reversed
        if delta <= 0:
            continue
        LedgerEntry.objects.create(
            account_id=row.account_id,
            bucket=B.PENDING,
            kind=K.REVERSE,
            amount=-delta,
            currency=row.currency,
            commission=row,
            note=note[:200],
        )
        row.reversed = target
        row.platform_reversed = _platform_part(row, target)
        row.status = C.REVERSED if row.reversed == row.amount else row.status
        row.save(update_fields=["reversed", "platform_reversed", "status"])


def _platform_part(row: Commission, reversed_: Decimal) -> Decimal:
    """The platform's part of ``reversed_`` of ``row``: in proportion to what it bears, half
    up to the minor unit (all of it once the whole row is reversed); the merchant's part is
    the rest, so the two halves of a reversal add up to it to the fen."""
    f = _factor(row.currency)
    whole, platform, done = int(row.amount * f), int(row.platform_bears * f), int(reversed_ * f)
    if whole <= 0:
        return Decimal(0)
    return Decimal((2 * platform * done + whole) // (2 * whole)) / f


def _frozen(**filters) -> list[Commission]:
    return list(Commission.objects.filter(status=C.FROZEN, **filters).order_by("pk"))


@transaction.atomic
def commissions_reverse_checkout(*, checkout_number: str) -> int:
    """The checkout ended unpaid: all its commission goes."""
    rows = _frozen(checkout_number=checkout_number)
    lock_reward_accounts(r.account_id for r in rows)
    rows = _frozen(checkout_number=checkout_number)
    _reverse_rows(rows, [r.amount for r in rows], f"{checkout_number} expired")
    return len(rows)


def commissions_refund(
    *, order_id: int, reference: str, amount: Decimal, order_total: Decimal
) -> int:
    """A refund of ``amount`` of order ``order_id`` (of ``order_total``, checkout currency):
    its frozen commission is reversed in proportion to what has been refunded of the order
    so far, per beneficiary, spread over the lines by largest remainder in fen. Idempotent:
    once per refund ``reference``. Returns the rows changed."""
    with transaction.atomic():
        rows = _frozen(order_id=order_id)
        lock_reward_accounts(r.account_id for r in rows)
        if OrderRefundSeen.objects.filter(reference=reference).exists():
            return 0
        OrderRefundSeen.objects.create(
            order_id=order_id, reference=reference, amount=amount, order_total=order_total
        )
        refunded = OrderRefundSeen.objects.filter(order_id=order_id).aggregate(s=Sum("amount"))["s"]
        rows = list(
            Commission.objects.filter(order_id=order_id).exclude(status=C.CONFIRMED).order_by("pk")
        )
        if not rows or order_total <= 0:
            return 0
        share = min(Decimal(1), refunded / order_total)
        by_role: dict[tuple[int, str], list[Commission]] = defaultdict(list)
        for row in rows:
            by_role[(row.account_id, row.role)].append(row)
        changed = 0
        for group in by_role.values():
            f = _factor(group[0].currency)
            whole = sum(int(r.amount * f) for r in group)
            target = int((Decimal(whole) * share).to_integral_value(rounding="ROUND_HALF_UP"))
            done = sum(int(r.reversed * f) for r in group)
            if target <= done:
                continue
            parts = allocate(target - done, [int((r.amount - r.reversed) * f) for r in group])
            targets = [r.reversed + Decimal(p) / f for r, p in zip(group, parts, strict=True)]
            _reverse_rows(group, targets, f"refund {reference}")
            changed += sum(1 for p in parts if p)
        return changed


def commissions_confirm(*, order_id: int) -> int:
    """The order completed (its merchant's return window elapsed with no return open:
    ``orders_complete_due`` → ``order_complete`` → outbox): every frozen commission row of
    ``order_id`` moves from pending to available. The only way commission is confirmed.
    One transaction per account; idempotent (rows are re-read under the lock)."""
    due = Commission.objects.filter(status=C.FROZEN, order_id=order_id)
    accounts = sorted(set(due.values_list("account_id", flat=True)))
    confirmed, checkouts = 0, set()
    for account_id in accounts:
        with transaction.atomic():
            lock_reward_accounts([account_id])
            for row in due.filter(account_id=account_id).order_by("pk"):
                net = row.amount - row.reversed
                for bucket, amount in ((B.PENDING, -net), (B.AVAILABLE, net)):
                    LedgerEntry.objects.create(
                        account_id=account_id,
                        bucket=bucket,
                        kind=K.CONFIRM,
                        amount=amount,
                        currency=row.currency,
                        commission=row,
                        note=row.checkout_number,
                    )
                row.status = C.CONFIRMED
                row.save(update_fields=["status"])
                checkouts.add(row.checkout_number)
                confirmed += 1
    for checkout_number in sorted(checkouts):
        referral_confirm(checkout_number=checkout_number)
    return confirmed


def referral_confirm(*, checkout_number: str) -> bool:
    """The checkout's referral turns confirmed once none of its commission is frozen any more
    (every row confirmed — its order completed — or reversed):
    called by ``commissions_confirm`` for each checkout it confirmed rows of. A referral
    already reversed stays reversed. Returns whether it changed."""
    if Commission.objects.filter(checkout_number=checkout_number, status=C.FROZEN).exists():
        return False
    if not Commission.objects.filter(checkout_number=checkout_number, status=C.CONFIRMED).exists():
        return False
    return bool(
        Referral.objects.filter(
            checkout_number=checkout_number, status=Referral.Status.PENDING
        ).update(status=Referral.Status.CONFIRMED)
    )


def withdrawal_request(*, user, amount: Money) -> Withdrawal:
    """Ask to be paid ``amount`` of the confirmed balance; it leaves the balance at once. Two
    requests at once take turns on the account's lock, so the balance never goes negative."""
    if amount.amount <= 0 or amount.rounded().amount != amount.amount:
        raise field_error("amount", _("Enter an amount above zero."), "withdrawal_amount")
    account = reward_account(user)
    with transaction.atomic():
        lock_reward_accounts([account.pk])
        available = balance(account.pk, amount.currency, B.AVAILABLE)
        if amount.amount > available:
            raise field_error(
                "amount",
                _("At most %(left)s is available to withdraw.")
                % {"left": Money(available, amount.currency)},
                "withdrawal_exceeds_balance",
            )
        withdrawal = Withdrawal.objects.create(
            account=account, amount=amount.amount, currency=amount.currency
        )
        LedgerEntry.objects.create(
            account=account,
            bucket=B.AVAILABLE,
            kind=K.WITHDRAW,
            amount=-amount.amount,
            currency=amount.currency,
            withdrawal=withdrawal,
        )
    return withdrawal


@transaction.atomic
def withdrawal_approve(*, withdrawal: Withdrawal, by) -> Withdrawal:
    """An operator approves: the money is owed to the distributor (paid out by finance)."""
    lock_reward_accounts([withdrawal.account_id])
    WITHDRAWAL_FLOW.apply(withdrawal, "approve", by=by, event_model=WithdrawalEvent)
    return withdrawal


@transaction.atomic
def withdrawal_reject(*, withdrawal: Withdrawal, by, reason: str) -> Withdrawal:
    """An operator rejects, with a reason: the amount goes back to the available balance."""
    lock_reward_accounts([withdrawal.account_id])
    WITHDRAWAL_FLOW.apply(withdrawal, "reject", by=by, event_model=WithdrawalEvent, reason=reason)
    Withdrawal.objects.filter(pk=withdrawal.pk).update(reason=reason[:300])
    withdrawal.reason = reason[:300]
    LedgerEntry.objects.create(
        account_id=withdrawal.account_id,
        bucket=B.AVAILABLE,
        kind=K.WITHDRAW_BACK,
        amount=withdrawal.amount,
        currency=withdrawal.currency,
        withdrawal=withdrawal,
        note=reason[:200],
    )
    return withdrawal


def withdrawal_pay_check(*, reference: str, paid_at) -> str:
    """The payout's rules (``withdrawal_pay``; the back office's form asks them first): a
    reference, and a time that is not in the future. Returns the reference, stripped."""
    reference = (reference or "").strip()[:100]
    if not reference:
        raise field_error(
            "payout_reference", _("Enter the payout's reference."), "payout_reference_required"
        )
    if paid_at is None:
        raise field_error("paid_at", _("Enter when it was paid."), "payout_time_required")
    if paid_at > timezone.now():
        raise field_error("paid_at", _("The payout time is in the future."), "payout_time_future")
    return reference


def withdrawal_pay(*, withdrawal: Withdrawal, by, reference: str, paid_at) -> Withdrawal:
    """An operator records the payout of an approved withdrawal (a bank or WeChat Pay transfer
    made outside Silkway): its reference and when it was paid, both required, the time not in
    the future. Once: under the account's lock the withdrawal is re-read, so a second "mark
    paid" (a double click, two operators) finds it paid and is refused (``IllegalTransition``)
    and the first reference stays. No ledger entry: the amount left the available balance when
    it was requested; the payout closes that debt."""
    reference = withdrawal_pay_check(reference=reference, paid_at=paid_at)
    with transaction.atomic():
        lock_reward_accounts([withdrawal.account_id])
        # the payout's facts first (a paid row must have them), only while still approved:
        # a second "mark paid" never overwrites the first's, and is refused by the flow
        Withdrawal.objects.filter(pk=withdrawal.pk, status=Withdrawal.Status.APPROVED).update(
            payout_reference=reference, paid_at=paid_at
        )
        WITHDRAWAL_FLOW.apply(withdrawal, "pay", by=by, event_model=WithdrawalEvent)
    withdrawal.payout_reference, withdrawal.paid_at = reference, paid_at
    return withdrawal
