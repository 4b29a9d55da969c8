"""Distribution (分销, "everyone becomes a salesman"): one-click sign-up, share links that set
a last-click attribution, and the referral a checkout records with its commission
(docs/MARKETING.md, "Distribution")."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.money import minor_unit
from marketplace.rules import field_error

from ..models import Distributor, Referral, ShareClick
from ..pricing import Bearer
from .ledger import accrue, commissions_reverse_checkout, reward_account
from .models import Commission, Upline
from .rates import LineScope as PaidLineScope
from .rates import rates_for

SESSION_KEY = "marketing_referral"


def distributor_signup(*, user) -> Distributor:
    """Make ``user`` a distributor (one click; idempotent: a second click returns the same)."""
    if not getattr(user, "is_authenticated", False):
        raise field_error("user", _("Sign in to become a distributor."), "distributor_sign_in")
    existing = Distributor.objects.filter(user=user).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            distributor = Distributor.objects.create(user=user)
    except IntegrityError:  # two clicks at once: the other made it
        return Distributor.objects.get(user=user)
    # Recruited by the distributor whose link they opened last (level 2).
    click = _last_click(user, timezone.now())
    if click is not None:
        with suppress(ValidationError):
            distributor_recruit(distributor=distributor, parent=click.distributor)
    return distributor


def share_click_record(*, code: str, user=None, path: str = "", now=None) -> ShareClick | None:
    """Someone opened a share link with ``code``: one click row (the last one counts). A
    distributor opening their own link is not a click (no self-referral)."""
    distributor = Distributor.objects.filter(code=code, is_active=True).first()
    if distributor is None:
        return None
    known = user if getattr(user, "is_authenticated", False) else None
    if known is not None and distributor.user_id == known.pk:
        return None
    return ShareClick.objects.create(
        distributor=distributor, user=known, path=path[:300], created_at=now or timezone.now()
    )


def share_click_bind(*, click_id: int, user) -> None:
    """At log-in: the anonymous click of this browser's session becomes the user's (unless it
    is their own link)."""
    click = (
        ShareClick.objects.filter(pk=click_id, user__isnull=True)
        .select_related("distributor")
        .first()
    )
    if click is None or click.distributor.user_id == user.pk:
        return
    ShareClick.objects.filter(pk=click.pk).update(user=user)


@dataclass(frozen=True)
class PaidLine:
    """An order line as distribution sees it: what the buyer paid for it (line total less
    its discounts: after promotions, without duties and shipping; checkout currency)."""

    order_id: int
    order_line_id: int
    merchant_id: int
    product_id: int
    category_id: int | None
    paid: Decimal


def _last_click(user, now):
    since = now - timedelta(days=settings.DISTRIBUTION_ATTRIBUTION_DAYS)
    return (
        ShareClick.objects.filter(user=user, created_at__gte=since, distributor__is_active=True)
        .exclude(distributor__user=user)
        .select_related("distributor")
        .order_by("-created_at", "-id")
        .first()
    )


def distribution_attribute(
    *, user, checkout_number: str, lines: list[PaidLine], currency: str, now=None
) -> Referral | None:
    """Record the referral of a checkout: the buyer's last click inside
    ``DISTRIBUTION_ATTRIBUTION_DAYS``. Each line earns, at the rates that apply to it
    (``rates_for``: most specific wins), the distributor's commission, their recruiter's
    level-2 commission and the buyer's rebate, each rounded half up to the minor unit and
    frozen (pending) until the order completes (its merchant's return window after delivery
    passed with no return open). Who bears each is frozen on its row (the rate's
    ``platform_percent``; the merchant by default). Self-referral is refused
    (no referral; a recruiter who is the buyer earns no level 2). Idempotent."""
    now = now or timezone.now()
    click = _last_click(user, now)
    paid = sum((line.paid for line in lines), Decimal(0))
    if click is None or paid <= 0:
        return None
    if Referral.objects.filter(checkout_number=checkout_number).exists():
        return Referral.objects.get(checkout_number=checkout_number)
    distributor = click.distributor
    upline = Upline.objects.filter(distributor=distributor).select_related("parent").first()
    parent = upline.parent if upline and upline.parent.is_active else None
    if parent is not None and parent.user_id == user.pk:
        parent = None
    seller = reward_account(distributor.user)
    recruiter = reward_account(parent.user) if parent else None
    buyer = reward_account(user)
    quantum = Decimal(1).scaleb(-minor_unit(currency))
    rows = []
    rates = rates_for([PaidLineScope(x.merchant_id, x.product_id, x.category_id) for x in lines])
    for line, rate in zip(lines, rates, strict=True):
        for role, account, percent in (
            (Commission.Role.LEVEL1, seller, rate.rate),
            (Commission.Role.LEVEL2, recruiter, rate.level2),
            (Commission.Role.REBATE, buyer, rate.rebate),
        ):
            if account is None or percent <= 0 or line.paid <= 0:
                continue
            amount = (line.paid * percent / 100).quantize(quantum, rounding=ROUND_HALF_UP)
            platform, merchant = Bearer(rate.platform_percent).split(int(amount / quantum))
            rows.append(
                Commission(
                    account=account,
                    role=role,
                    checkout_number=checkout_number,
                    order_id=line.order_id,
                    order_line_id=line.order_line_id,
                    merchant_id=line.merchant_id,
                    base=line.paid,
                    rate=percent,
                    amount=amount,
                    platform_bears=platform * quantum,
                    merchant_bears=merchant * quantum,
                    currency=currency,
                )
            )
    level1 = sum((r.amount for r in rows if r.role == Commission.Role.LEVEL1), Decimal(0))
    referral = Referral.objects.create(
        checkout_number=checkout_number,
        distributor=distributor,
        buyer=user,
        paid=paid,
        commission=level1,
        currency=currency,
        clicked_at=click.created_at,
    )
    accrue(rows)
    return referral


def distributor_recruit(*, distributor: Distributor, parent: Distributor) -> Upline:
    """``parent`` recruited ``distributor`` (level 2). Refused: oneself, a distributor who
    already has a recruiter, and a cycle (``parent`` recruited, directly or not, by
    ``distributor``)."""
    if parent.pk == distributor.pk or parent.user_id == distributor.user_id:
        raise field_error("parent", _("A distributor cannot recruit themselves."), "recruit_self")
    if Upline.objects.filter(distributor=distributor).exists():
        raise field_error("parent", _("This distributor already has a recruiter."), "recruit_twice")
    seen, current = {distributor.pk}, parent.pk
    while current is not None:
        if current in seen:
            raise field_error(
                "parent", _("That would make a circle of recruiters."), "recruit_cycle"
            )
        seen.add(current)
        current = (
            Upline.objects.filter(distributor_id=current)
            .values_list("parent_id", flat=True)
            .first()
        )
    return Upline.objects.create(distributor=distributor, parent=parent)


def referral_close_without_commission(*, checkout_number: str) -> bool:
    """The checkout was paid (``orders.services.paying``): a pending referral of it that
    earned no commission at all (every rate 0: no row for the distributor, their recruiter
    or the buyer's rebate) is closed as ``no_commission`` — no order completion can confirm
    anything, so it would stay pending for ever. A referral with rows waits for its orders as
    before. Idempotent (a conditional UPDATE). Returns whether it changed."""
    if Commission.objects.filter(checkout_number=checkout_number).exists():
        return False  # its rows were written with it, at placement: they decide
    return bool(
        Referral.objects.filter(
            checkout_number=checkout_number, status=Referral.Status.PENDING
        ).update(status=Referral.Status.NO_COMMISSION)
    )


def referral_reverse(*, checkout_number: str) -> bool:
    """The checkout ended unpaid: no commission (nor level 2, nor rebate)."""
    commissions_reverse_checkout(checkout_number=checkout_number)
    return bool(
        Referral.objects.filter(checkout_number=checkout_number)
        .exclude(status=Referral.Status.REVERSED)
        .update(status=Referral.Status.REVERSED)
    )
