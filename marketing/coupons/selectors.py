"""Coupon reads: the coupon centre, a shopper's coupons, a merchant's coupons."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Coupon, CouponClaim


def coupon_centre(*, now=None) -> QuerySet[Coupon]:
    """Coupons a shopper may claim now (not the automatic spend-and-save promotions, which
    need no claim; not the list-only ones), soonest ending first."""
    now = now or timezone.now()
    return (
        Coupon.objects.filter(automatic=False, is_active=True, starts_at__lte=now, ends_at__gt=now)
        .exclude(audience=Coupon.Audience.LIST)
        .select_related("merchant")
        .order_by("ends_at", "id")
    )


def shopper_coupons(user, *, now=None) -> QuerySet[CouponClaim]:
    """The shopper's claimed coupons still usable."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return CouponClaim.objects.none()
    return (
        CouponClaim.objects.filter(
            user=user,
            status=CouponClaim.Status.AVAILABLE,
            coupon__is_active=True,
            coupon__ends_at__gt=now,
        )
        .select_related("coupon__merchant")
        .order_by("coupon__ends_at", "id")
    )


def merchant_coupons(merchant) -> QuerySet[Coupon]:
    return (
        Coupon.objects.for_merchant(merchant)
        .select_related("merchant")
        .order_by("-starts_at", "-id")
    )
