"""Merchant reads: public merchant lists, teams, histories, applications, invitations,
payout details and commission rates."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import (
    CategoryCommission,
    Invitation,
    Membership,
    Merchant,
    MerchantApplication,
    MerchantApplicationEvent,
    MerchantEvent,
    PayoutDetails,
)

# Catalog's category tree, reached through merchants' own relation: merchants sits below
# catalog and imports nothing from it (docs/ARCHITECTURE.md, "Layers").
Category = CategoryCommission.category.field.related_model


def merchants_public() -> QuerySet[Merchant]:
    """Merchants a shopper may see: approved ones, self-operated stores first."""
    return Merchant.objects.filter(status=Merchant.Status.APPROVED).order_by("kind", "name")


def team_for_merchant(merchant) -> QuerySet[Membership]:
    """The merchant's staff, with their user rows, for the portal and the API."""
    return (
        Membership.objects.for_merchant(merchant)
        .select_related("user", "merchant")
        .order_by("-is_active", "role", "user__email")
    )


def merchant_events(merchant) -> QuerySet[MerchantEvent]:
    """The merchant's history (status changes and audited changes), oldest first."""
    return MerchantEvent.objects.filter(subject=merchant).select_related("actor")


def merchant_suspension(merchant) -> MerchantEvent | None:
    """The event that suspended ``merchant`` (for telling its staff why), if suspended."""
    if merchant.status != Merchant.Status.SUSPENDED:
        return None
    return MerchantEvent.objects.filter(subject=merchant, transition="suspend").last()


# --- applications --------------------------------------------------------------------------


def applications_of(user) -> QuerySet[MerchantApplication]:
    """The applications ``user`` filed (others' are simply not in it: 404)."""
    if not user.is_authenticated:
        return MerchantApplication.objects.none()
    return MerchantApplication.objects.filter(applicant=user).select_related("merchant")


def application_open_of(user) -> MerchantApplication | None:
    """The user's application still under review (submitted or information requested)."""
    return applications_of(user).filter(status__in=MerchantApplication.OPEN_STATES).first()


def application_detail(queryset: QuerySet[MerchantApplication], pk: int) -> MerchantApplication:
    """One application with its categories and history, in three queries."""
    return (
        queryset.select_related("applicant", "merchant")
        .prefetch_related(
            "categories",
            Prefetch(
                "events",
                queryset=MerchantApplicationEvent.objects.select_related("actor").order_by(
                    "created_at", "id"
                ),
            ),
        )
        .get(pk=pk)
    )


# --- invitations ---------------------------------------------------------------------------


def invitations_for_merchant(merchant) -> QuerySet[Invitation]:
    """Every invitation of the merchant, newest first, with the inviter."""
    return Invitation.objects.for_merchant(merchant).select_related("invited_by", "merchant")


def invitations_pending(merchant) -> QuerySet[Invitation]:
    """Invitations whose link still works."""
    return invitations_for_merchant(merchant).filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


# --- payout --------------------------------------------------------------------------------


def payout_details_for(merchant) -> PayoutDetails | None:
    """The merchant's payout account, or ``None`` if it has not given one."""
    return PayoutDetails.objects.for_merchant(merchant).select_related("updated_by").first()


# --- commission ----------------------------------------------------------------------------


def platform_commission_rate() -> Decimal:
    """The platform's default commission rate in percent (setting PLATFORM_COMMISSION_RATE)."""
    return Decimal(str(getattr(settings, "PLATFORM_COMMISSION_RATE", "5.00"))).quantize(
        Decimal("0.01")
    )


def _category_parents() -> dict[int, int | None]:
    return dict(Category.objects.values_list("id", "parent_id"))


def _nearest_override(
    category_id: int | None, overrides: dict[int, Decimal], parents: dict[int, int | None]
) -> tuple[Decimal | None, int | None]:
    seen: set[int] = set()
    node = category_id
    while node is not None and node not in seen:
        if node in overrides:
            return overrides[node], node
        seen.add(node)
        node = parents.get(node)
    return None, None


def commission_rate_for(merchant, category) -> Decimal:
    """The commission rate (percent) for a sale by ``merchant`` in ``category``.

    The nearest rate set for the category or one of its parents for this merchant, else the
    merchant's default rate, else the platform default. Two queries at most.
    """
    overrides = dict(
        CategoryCommission.objects.for_merchant(merchant).values_list("category_id", "rate")
    )
    if overrides and category is not None:
        category_id = getattr(category, "pk", category)
        if category_id in overrides:
            return overrides[category_id]
        rate, _source = _nearest_override(category_id, overrides, _category_parents())
        if rate is not None:
            return rate
    if merchant.commission_rate is not None:
        return merchant.commission_rate
    return platform_commission_rate()


@dataclass
class CommissionLine:
    category: Category
    depth: int
    rate: Decimal
    source: str  # "category" (set here), "parent" (set on a parent), "merchant", "platform"


@dataclass
class CommissionTable:
    platform_rate: Decimal
    merchant_rate: Decimal | None
    default_rate: Decimal
    default_source: str  # "merchant" or "platform"
    lines: list[CommissionLine]


def commission_table(merchant) -> CommissionTable:
    """Every active category with the rate that applies to ``merchant`` there and why
    (for the seller's commission page and API). Two queries."""
    overrides = dict(
        CategoryCommission.objects.for_merchant(merchant).values_list("category_id", "rate")
    )
    categories = list(Category.objects.filter(is_active=True).order_by("position", "slug"))
    parents = {c.pk: c.parent_id for c in categories}
    platform = platform_commission_rate()
    if merchant.commission_rate is not None:
        default, default_source = merchant.commission_rate, "merchant"
    else:
        default, default_source = platform, "platform"
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        parent = category.parent_id if category.parent_id in parents else None
        children.setdefault(parent, []).append(category)
    lines: list[CommissionLine] = []

    def walk(parent: int | None, depth: int) -> None:
        for category in children.get(parent, []):
            rate, source_id = _nearest_override(category.pk, overrides, parents)
            if rate is None:
                line = CommissionLine(category, depth, default, default_source)
            else:
                source = "category" if source_id == category.pk else "parent"
                line = CommissionLine(category, depth, rate, source)
            lines.append(line)
            walk(category.pk, depth + 1)

    walk(None, 0)
    return CommissionTable(platform, merchant.commission_rate, default, default_source, lines)
