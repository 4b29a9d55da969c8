"""Points: earn, redeem, give back, expire, reverse (docs/MARKETING.md, "Points").

Every change is one new ``PointsEntry`` row; the balance is their sum. Debits lock the
shopper's account (``lock_points_account``, slot 13's tail) and refuse to go below zero;
credits only insert. Each row is unique per (shopper, kind, reference), so a repeated call
writes nothing.

- ``points_redemption`` — what a checkout may redeem: the shopper's balance at most, valued
  at ``POINTS_VALUE_PER_POINT`` and capped by the pricing pipeline at ``POINTS_MAX_SHARE`` of
  the goods (``marketing.pricing``, step ``points``: a non-cash deduction, not a price cut, so
  the duties do not fall).
- ``points_redeem`` — inside ``checkout_place``'s transaction, after everything it locks.
- ``points_give_back`` — a checkout that expired or was cancelled unpaid
  (``orders.services.expiry.promotions_give_back``), or one of its paid orders was
  cancelled (that order's share, ``paid_order_give_back``).
- ``points_earn`` — an order completed (``orders`` outbox kind ``orders.points_earn``): per
  line, what was paid for the goods × the merchant's or category's rate, less the share of
  the order already refunded.
- ``points_reverse`` — a completed order refunded later: the same share of what it earned,
  at most what is left of the balance (points already spent are not clawed back below 0).
- ``points_expire`` — periodic: earned points past ``expires_at`` that were not spent (points
  are spent oldest first) get an expiry row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import is_operator, require_operator
from marketing import pricing
from marketplace.rules import field_error
from merchants.roles import Capability
from merchants.services import require_capability

from .lock_objects import lock_points_account, lock_points_rate
from .models import PointsEntry, PointsRate

# Points are valued, and redeemed, in yuan: they apply to the lines listed in CNY.
POINTS_CURRENCY = "CNY"
K = PointsEntry.Kind


@dataclass(frozen=True)
class EarnLine:
    merchant_id: int
    category_id: int | None
    paid: Decimal  # what the buyer paid for the line's goods, in yuan


def points_balance(user_id: int) -> int:
    total = PointsEntry.objects.filter(user_id=user_id).aggregate(s=Sum("points"))["s"]
    return int(total or 0)


def points_value() -> Decimal:
    return Decimal(settings.POINTS_VALUE_PER_POINT)


def points_redemption(*, user, requested: int) -> pricing.PointsRedemption | None:
    """The pipeline's points step input for ``requested`` points (None: nothing to redeem).
    Asking for more than the balance is refused (``points_over_balance``)."""
    requested = int(requested or 0)
    if requested <= 0 or user is None or not user.is_authenticated:
        return None
    if requested > points_balance(user.pk):
        raise field_error(
            "points",
            _("You have %(balance)s points: redeem at most that many.")
            % {"balance": points_balance(user.pk)},
            "points_over_balance",
        )
    return pricing.PointsRedemption(
        points=requested,
        value_per_point=points_value(),
        max_share=Decimal(settings.POINTS_MAX_SHARE),
    )


def _insert(*, user_id: int, kind: str, points: int, reference: str, **fields) -> bool:
    """Write one row; False when this (user, kind, reference) was written before."""
    try:
        with transaction.atomic():
            PointsEntry.objects.create(
                user_id=user_id, kind=kind, points=points, reference=reference, **fields
            )
    except IntegrityError:
        if PointsEntry.objects.filter(user_id=user_id, kind=kind, reference=reference).exists():
            return False
        raise
    return True


def points_redeem(*, user, points: int, checkout_number: str) -> None:
    """Debit ``points`` for ``checkout_number`` (its transaction; slot 13's tail). Another
    redemption that spent the balance meanwhile refuses the checkout
    (``points_used_meanwhile``: the whole placement rolls back)."""
    if points <= 0:
        return
    lock_points_account(user.pk)
    if points_balance(user.pk) < points:
        raise field_error(
            "points",
            _("Your points were used meanwhile: check the amount and try again."),
            "points_used_meanwhile",
        )
    _insert(user_id=user.pk, kind=K.REDEEM, points=-points, reference=checkout_number)


def points_give_back(
    *, checkout_number: str, order_number: str | None = None, amount: Decimal | None = None
) -> int:
    """Credit back what ``checkout_number`` redeemed. Without ``order_number``: all of it not
    given back yet (the checkout expired, was cancelled unpaid, or its last order was
    cancelled). With it: the points worth ``amount`` yuan, the cancelled order's lines'
    share of the redemption (``orders.LinePromotionShare``, step ``points``), never more
    than is still out. Idempotent (one row per checkout, or per checkout and order); takes
    no lock (a credit; callers hold the checkout's lock, which orders give-backs)."""
    back = 0
    for entry in PointsEntry.objects.filter(kind=K.REDEEM, reference=checkout_number):
        given = (
            PointsEntry.objects.filter(user_id=entry.user_id, kind=K.GIVE_BACK)
            .filter(Q(reference=checkout_number) | Q(reference__startswith=f"{checkout_number}:"))
            .aggregate(s=Sum("points"))["s"]
            or 0
        )
        due = -entry.points - given
        reference = checkout_number
        if order_number is not None:
            worth = int(((amount or Decimal(0)) / points_value()).to_integral_value(ROUND_DOWN))
            due = min(due, worth)
            reference = f"{checkout_number}:{order_number}"[:64]
        if due > 0 and _insert(
            user_id=entry.user_id, kind=K.GIVE_BACK, points=due, reference=reference
        ):
            back += due
    return back


def points_rate(merchant_id: int, category_id: int | None) -> Decimal:
    """Points per yuan for a merchant's line of ``category_id``: the merchant's rate for the
    category, else the merchant's, else the category's, else the default."""
    rates = {
        (r.merchant_id, r.category_id): r.points_per_yuan
        for r in PointsRate.objects.filter(
            Q(merchant_id=merchant_id) | Q(merchant__isnull=True, category_id=category_id)
        )
    }
    for key in ((merchant_id, category_id), (merchant_id, None), (None, category_id)):
        if key in rates:
            return rates[key]
    return Decimal(settings.POINTS_EARN_PER_YUAN)


def points_rates_of(merchant) -> list[PointsRate]:
    """The merchant's own points rates (all its goods first, then by category); one query."""
    return list(
        PointsRate.objects.filter(merchant=merchant)
        .select_related("category")
        .order_by("category_id", "pk")
    )


def points_rate_set(*, merchant, points_per_yuan, by, category=None) -> PointsRate:
    """Set the points per yuan of ``merchant``'s goods (``category``: of that category of
    them; ``merchant`` None: the platform's rate of ``category``, operators only), as ``by``.
    Operators (and the platform, ``by=None``) set any rate ≥ 0; a member with
    ``manage_catalog`` from 0 to ``POINTS_MERCHANT_MAX_PER_YUAN`` and cannot change a row an
    operator set (the operators' rates win, as commission rates do,
    ``marketing.distribution.rates``). Who set it is recorded (``set_by``)."""
    by_operator = by is None or is_operator(by)
    if merchant is None:
        if by is not None:
            require_operator(by)
    else:
        require_capability(by=by, merchant=merchant, capability=Capability.MANAGE_CATALOG)
    value = Decimal(str(points_per_yuan))
    high = Decimal(settings.POINTS_MERCHANT_MAX_PER_YUAN)
    if value < 0 or value != value.quantize(Decimal("0.01")) or value >= Decimal("1000000"):
        raise field_error(
            "points_per_yuan",
            _("Points per yuan are a number of at least 0, with at most 2 decimals."),
            "points_rate_invalid",
        )
    if not by_operator and value > high:
        raise field_error(
            "points_per_yuan",
            _("The platform allows from 0 to %(high)s points per yuan.") % {"high": high},
            "points_rate_out_of_bounds",
        )
    with transaction.atomic():
        row = lock_points_rate(merchant=merchant, category=category)
        if row is not None and row.set_by == PointsRate.SetBy.OPERATOR and not by_operator:
            raise field_error(
                "points_per_yuan",
                _("The platform set this rate; ask the operator to change it."),
                "points_rate_set_by_operator",
            )
        row = row or PointsRate(merchant=merchant, category=category)
        row.points_per_yuan = value
        row.set_by = PointsRate.SetBy.OPERATOR if by_operator else PointsRate.SetBy.MERCHANT
        row.save()
    return row


def points_rate_delete(*, rate: PointsRate, by) -> None:
    """Delete one points rate, as ``by``: afterwards the next most specific rate earns
    (``points_rate``: the merchant's for all its goods, the platform's for the category,
    ``POINTS_EARN_PER_YUAN``). A merchant's own row needs ``manage_catalog``; a row an
    operator set is the platform's (``points_rate_set_by_operator``, as for changing it); the
    platform's rows (no merchant) are operators' only. Deleting a row already gone is a
    no-op (a double submit)."""
    by_operator = by is None or is_operator(by)
    if rate.merchant_id is None:
        if by is not None:
            require_operator(by)
    else:
        require_capability(by=by, merchant=rate.merchant, capability=Capability.MANAGE_CATALOG)
    with transaction.atomic():
        row = lock_points_rate(merchant=rate.merchant, category=rate.category)
        if row is None or row.pk != rate.pk:
            return
        if row.set_by == PointsRate.SetBy.OPERATOR and not by_operator:
            raise field_error(
                "points_per_yuan",
                _("The platform set this rate; ask the operator to change it."),
                "points_rate_set_by_operator",
            )
        row.delete()


def _earned(lines: Iterable[EarnLine], kept: Decimal) -> int:
    raw = sum((line.paid * points_rate(line.merchant_id, line.category_id) for line in lines), 0)
    return int(
        (Decimal(raw) * max(min(kept, Decimal(1)), Decimal(0))).to_integral_value(ROUND_DOWN)
    )


def points_earn(
    *, user_id: int, order_number: str, lines: Iterable[EarnLine], kept: Decimal, now=None
) -> int:
    """Credit what a completed order earns: Σ paid × rate, times ``kept`` (the share of the
    order's total not refunded, 0..1), rounded down. Idempotent per order (no lock: a
    credit). Returns the points written."""
    now = now or timezone.now()
    points = _earned(lines, kept)
    if points <= 0:
        return 0
    expires = now + timedelta(days=settings.POINTS_EXPIRE_DAYS)
    written = _insert(
        user_id=user_id, kind=K.EARN, points=points, reference=order_number, expires_at=expires
    )
    return points if written else 0


def points_reverse(
    *, order_number: str, refund_key: str, lines: Iterable[EarnLine], kept: Decimal
) -> int:
    """A refund of a completed order: bring what ``order_number`` holds down to what its
    ``kept`` share earns (``points_earn``'s rule), at most what the balance holds (slot 13's
    tail). Reconciling to the target, not subtracting the refund, makes it right whichever
    of the earning and the refund's reversal is delivered first. Returns the points."""
    earned = PointsEntry.objects.filter(kind=K.EARN, reference=order_number).first()
    if earned is None:
        return 0  # not earned yet: the earning will leave the refunded share out
    with transaction.atomic():
        lock_points_account(earned.user_id)
        taken = -(
            PointsEntry.objects.filter(
                user_id=earned.user_id, kind=K.REVERSE, reference__startswith=f"{order_number}:"
            ).aggregate(s=Sum("points"))["s"]
            or 0
        )
        due = earned.points - taken - _earned(lines, kept)
        points = min(due, points_balance(earned.user_id))
        if points <= 0:
            return 0
        reference = f"{order_number}:{refund_key}"[:64]
        written = _insert(
            user_id=earned.user_id, kind=K.REVERSE, points=-points, reference=reference
        )
        return points if written else 0


def _expire_user(user_id: int, now) -> int:
    with transaction.atomic():
        lock_points_account(user_id)
        rows = PointsEntry.objects.filter(user_id=user_id)
        due = rows.filter(kind=K.EARN, expires_at__lte=now).aggregate(s=Sum("points"))["s"] or 0
        # Spent points come out of the oldest earnings first: whatever was debited (net of
        # give-backs) already consumed that much of what is now due.
        spent = -(rows.exclude(kind=K.EARN).aggregate(s=Sum("points"))["s"] or 0)
        points = min(due - spent, points_balance(user_id))
        if points <= 0:
            return 0
        _insert(
            user_id=user_id,
            kind=K.EXPIRE,
            points=-points,
            reference=f"expire:{now.isoformat()}",
        )
        return points


def points_expire(*, now=None) -> int:
    """Write the expiry rows of every shopper with earnings past due (one short transaction
    each); returns the points expired. Safe to run twice: a second run finds nothing due."""
    now = now or timezone.now()
    users = (
        PointsEntry.objects.filter(kind=K.EARN, expires_at__lte=now)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
    return sum(_expire_user(user_id, now) for user_id in users)


def points_history(user_id: int, *, limit: int = 50) -> list[PointsEntry]:
    return list(PointsEntry.objects.filter(user_id=user_id)[:limit])
