"""Distribution reads: a distributor's dashboard figures (from the ledger), their withdrawals and
commissions, and the QR code of a share link."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import segno
from django.conf import settings
from django.db.models import Count, Q, Sum

from ..models import Distributor, Referral
from .models import Commission, LedgerEntry, RewardAccount, Withdrawal


@dataclass(frozen=True)
class Dashboard:
    clicks: int
    orders: int
    currency: str
    pending: Decimal  # frozen: the order has not completed (its return window)
    confirmed: Decimal  # ever confirmed (available + withdrawn + in review)
    available: Decimal  # confirmed, not withdrawn: what a withdrawal may take
    in_review: Decimal  # withdrawals waiting for an operator
    withdrawn: Decimal  # withdrawals approved (paid out or still to be paid)
    paid_out: Decimal  # of those, paid out (the payout's reference recorded)


def distributor_dashboard(distributor: Distributor, currency: str | None = None) -> Dashboard:
    """Clicks, attributed checkouts and the ledger's figures in ``currency`` (the account's
    latest, else the shop's default) — four queries."""
    referrals = Referral.objects.filter(distributor=distributor).aggregate(
        orders=Count("id", filter=~Q(status=Referral.Status.REVERSED))
    )
    account = RewardAccount.objects.filter(user_id=distributor.user_id).first()
    return _figures(account, distributor.clicks.count(), referrals["orders"], currency)


def _figures(account, clicks: int, orders: int, currency: str | None) -> Dashboard:
    zero = Decimal("0.00")
    if account is None:
        return Dashboard(
            clicks, orders, currency or settings.BASE_CURRENCY, zero, zero, zero, zero, zero, zero
        )
    entries = LedgerEntry.objects.filter(account=account)
    if currency is None:
        currency = (
            entries.order_by("-id").values_list("currency", flat=True).first()
            or settings.BASE_CURRENCY
        )
    B, K = LedgerEntry.Bucket, LedgerEntry.Kind
    sums = entries.filter(currency=currency).aggregate(
        pending=Sum("amount", filter=Q(bucket=B.PENDING)),
        available=Sum("amount", filter=Q(bucket=B.AVAILABLE)),
        confirmed=Sum("amount", filter=Q(bucket=B.AVAILABLE, kind=K.CONFIRM)),
    )
    W = Withdrawal.Status
    held = Withdrawal.objects.filter(account=account, currency=currency).aggregate(
        in_review=Sum("amount", filter=Q(status=W.REQUESTED)),
        withdrawn=Sum("amount", filter=Q(status__in=[W.APPROVED, W.PAID])),
        paid_out=Sum("amount", filter=Q(status=W.PAID)),
    )
    return Dashboard(
        clicks=clicks,
        orders=orders,
        currency=currency,
        pending=sums["pending"] or zero,
        confirmed=sums["confirmed"] or zero,
        available=sums["available"] or zero,
        in_review=held["in_review"] or zero,
        withdrawn=held["withdrawn"] or zero,
        paid_out=held["paid_out"] or zero,
    )


def account_withdrawals(user, limit: int = 20) -> list[Withdrawal]:
    return list(Withdrawal.objects.filter(account__user=user).order_by("-id")[:limit])


def account_commissions(user, limit: int = 50) -> list[Commission]:
    return list(Commission.objects.filter(account__user=user).order_by("-id")[:limit])


@dataclass(frozen=True)
class CommissionCost:
    """One order's distribution commission for its merchant (one role: the distributor's,
    level 2, the buyer's rebate), net of reversals, and who bears it — what settlement
    charges (``Commission``'s frozen split)."""

    role: str
    label: str
    currency: str
    amount: Decimal  # earned, less reversed
    merchant_bears: Decimal
    platform_bears: Decimal


def order_commission_costs(*, order_id: int, merchant_id: int) -> list[CommissionCost]:
    """The commission on ``merchant_id``'s order ``order_id`` by role, net of refunds, with
    the merchant's and the platform's part; one query. Only that merchant's rows."""
    rows = (
        Commission.objects.filter(order_id=order_id, merchant_id=merchant_id)
        .values("role", "currency")
        .annotate(
            amount=Sum("amount"),
            reversed=Sum("reversed"),
            platform=Sum("platform_bears"),
            merchant=Sum("merchant_bears"),
            platform_reversed=Sum("platform_reversed"),
        )
        .order_by("role", "currency")
    )
    labels = dict(Commission.Role.choices)
    order_of = {role: n for n, role in enumerate(labels)}
    costs = [
        CommissionCost(
            role=row["role"],
            label=str(labels.get(row["role"], row["role"])),
            currency=row["currency"],
            amount=row["amount"] - row["reversed"],
            platform_bears=row["platform"] - row["platform_reversed"],
            merchant_bears=row["merchant"] - (row["reversed"] - row["platform_reversed"]),
        )
        for row in rows
    ]
    return sorted(costs, key=lambda cost: order_of.get(cost.role, len(order_of)))


def qr_svg(url: str) -> bytes:
    """The QR code of ``url`` as SVG (segno; error correction M, scale 4)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return out.getvalue()


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()
