"""Flash-sale reads: the storefront's sales with their live counters, a merchant's sales,
and a shopper's admissions (docs/MARKETING.md)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from ..models import FlashAdmission, FlashSale, FlashSaleItem
from . import gate


def storefront_flash_sales(*, now=None, ahead=timedelta(days=2)) -> list[FlashSale]:
    """Sales on now or starting within ``ahead``, soonest first, with their items' SKUs and
    products (two queries beyond the sale list's). Counters are not read here: the page
    asks the gate (``flash_counters``), so it may be cached."""
    now = now or timezone.now()
    items = FlashSaleItem.objects.select_related("sku__product").order_by("id")
    return list(
        FlashSale.objects.filter(
            status=FlashSale.Status.SCHEDULED, ends_at__gt=now, starts_at__lte=now + ahead
        )
        .select_related("merchant")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("starts_at", "id")
    )


def flash_counters(item_ids) -> dict[int, int | None]:
    """Units left per item, from the gate (``None``: the gate cannot tell now)."""
    return gate.gate_left(item_ids)


def merchant_flash_sales(merchant) -> QuerySet[FlashSale]:
    """The merchant's sales, newest first, with their items."""
    items = FlashSaleItem.objects.select_related("sku__product").order_by("id")
    return (
        FlashSale.objects.for_merchant(merchant)
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("-starts_at", "-id")
    )


def shopper_admissions(user, *, now=None) -> QuerySet[FlashAdmission]:
    """The shopper's admissions still waiting for a checkout."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return FlashAdmission.objects.none()
    return (
        FlashAdmission.objects.filter(
            user=user, status=FlashAdmission.Status.ADMITTED, expires_at__gt=now
        )
        .select_related("item__sku__product", "item__sale")
        .order_by("expires_at")
    )


def flash_held_units(item_id: int) -> int:
    """Units admitted or used, as PostgreSQL says (the truth the gate is rebuilt from)."""
    return (
        FlashAdmission.objects.filter(item_id=item_id, status__in=FlashAdmission.HOLDING).aggregate(
            n=Sum("quantity")
        )["n"]
        or 0
    )


def flash_held_units_by_item(item_ids) -> dict[int, int]:
    """``flash_held_units`` for several items in one query."""
    return dict(
        FlashAdmission.objects.filter(item_id__in=list(item_ids), status__in=FlashAdmission.HOLDING)
        .values("item_id")
        .annotate(n=Sum("quantity"))
        .values_list("item_id", "n")
    )
