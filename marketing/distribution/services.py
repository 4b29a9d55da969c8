"""Distribution (分销, "everyone becomes a salesman"): one-click sign-up, share links that set
a last-click attribution, and the referral a checkout records with its commission
(docs/MARKETING.md, "Distribution")."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.money import Money, minor_unit
from marketplace.rules import field_error

from ..models import Distributor, Referral, ShareClick

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
            return Distributor.objects.create(user=user)
    except IntegrityError:  # two clicks at once: the other made it
        return Distributor.objects.get(user=user)


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


def distribution_attribute(*, user, checkout_number: str, paid: Money, now=None) -> Referral | None:
    """Record the referral of a checkout: the buyer's last click inside
    ``DISTRIBUTION_ATTRIBUTION_DAYS``, commission = ``DISTRIBUTION_COMMISSION_PERCENT`` % of
    ``paid`` (what the buyer paid for the goods: after promotions, without duties and
    shipping), rounded half up. Self-referral is refused (no referral). Idempotent."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.DISTRIBUTION_ATTRIBUTION_DAYS)
    click = (
        ShareClick.objects.filter(user=user, created_at__gte=since, distributor__is_active=True)
        .exclude(distributor__user=user)
        .select_related("distributor")
        .order_by("-created_at", "-id")
        .first()
    )
    if click is None or paid.amount <= 0:
        return None
    quantum = Decimal(1).scaleb(-minor_unit(paid.currency))
    commission = (paid.amount * Decimal(settings.DISTRIBUTION_COMMISSION_PERCENT) / 100).quantize(
        quantum, rounding=ROUND_HALF_UP
    )
    referral, _created = Referral.objects.get_or_create(
        checkout_number=checkout_number,
        defaults={
            "distributor": click.distributor,
            "buyer": user,
            "paid": paid.amount,
            "commission": commission,
            "currency": paid.currency,
            "clicked_at": click.created_at,
        },
    )
    return referral


def referral_confirm(*, checkout_number: str) -> bool:
    """The checkout's orders completed: its pending commission is confirmed."""
    return bool(
        Referral.objects.filter(
            checkout_number=checkout_number, status=Referral.Status.PENDING
        ).update(status=Referral.Status.CONFIRMED)
    )


def referral_reverse(*, checkout_number: str) -> bool:
    """The checkout ended unpaid or was refunded in full: no commission."""
    return bool(
        Referral.objects.filter(checkout_number=checkout_number)
        .exclude(status=Referral.Status.REVERSED)
        .update(status=Referral.Status.REVERSED)
    )
