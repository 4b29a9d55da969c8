"""Merchant reads."""

from django.db.models import QuerySet

from .models import Membership, Merchant


def merchants_public() -> QuerySet[Merchant]:
    """Merchants a shopper may see: approved ones, self-operated stores first."""
    return Merchant.objects.filter(status=Merchant.Status.APPROVED).order_by("kind", "name")


def team_for_merchant(merchant) -> QuerySet[Membership]:
    """The merchant's staff, with their user rows, for the portal and the API."""
    return (
        Membership.objects.for_merchant(merchant)
        .select_related("user")
        .order_by("role", "user__email")
    )
