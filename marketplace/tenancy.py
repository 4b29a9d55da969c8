"""Tenancy kernel: the one mechanism that scopes merchant-owned data.

- Every merchant-owned model inherits ``MerchantOwned``: it carries ``merchant`` and its
  default manager offers ``for_merchant(merchant)``. Seller pages and the seller API reach
  rows only through that queryset, so another merchant's row is simply not found (404),
  never forbidden (403, which would confirm it exists).
- ``CurrentMerchantMiddleware`` resolves which merchant a seller request acts for:
  the ``X-Merchant`` header (API) or the merchant picked in the portal (session), else the
  user's only membership. It sets ``request.merchant`` and ``request.membership`` lazily.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "seller_merchant_id"
HEADER = "X-Merchant"


class MerchantScopedQuerySet(models.QuerySet):
    def for_merchant(self, merchant) -> MerchantScopedQuerySet:
        """Rows of ``merchant`` only. ``None`` (no merchant resolved) yields nothing."""
        if merchant is None:
            return self.none()
        return self.filter(merchant=merchant)


class MerchantOwned(models.Model):
    """Abstract base of every merchant-owned table."""

    merchant = models.ForeignKey(
        "merchants.Merchant",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("merchant"),
        db_index=True,
    )

    objects = MerchantScopedQuerySet.as_manager()

    class Meta:
        abstract = True


def memberships_for(user):
    """Active memberships of ``user`` in merchants that may operate, cheapest query shape."""
    from merchants.models import Membership, Merchant

    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(
            user=user, is_active=True, merchant__status=Merchant.Status.APPROVED
        )
        .select_related("merchant")
        .order_by("merchant__name")
    )


def resolve_membership(request):
    """The membership this request acts through, or ``None``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    memberships = list(memberships_for(user))
    if not memberships:
        return None
    wanted = request.headers.get(HEADER) or request.session.get(SESSION_KEY)
    if wanted:
        for membership in memberships:
            if str(membership.merchant_id) == str(wanted):
                return membership
        # A header naming a merchant the user does not belong to resolves to nothing; the
        # response is the same whether that merchant exists or not.
        if request.headers.get(HEADER):
            return None
    if len(memberships) == 1:
        return memberships[0]
    return None


class CurrentMerchantMiddleware:
    """Attach ``request.membership`` and ``request.merchant`` (lazy: no query unless used)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cache: dict = {}

        def membership():
            if "m" not in cache:
                cache["m"] = resolve_membership(request)
            return cache["m"]

        request.get_membership = membership
        request.membership = SimpleLazyObject(membership)
        request.merchant = SimpleLazyObject(lambda: m.merchant if (m := membership()) else None)
        return self.get_response(request)


def current_membership(request):
    return request.get_membership() if hasattr(request, "get_membership") else None
