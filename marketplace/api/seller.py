"""Base classes for the seller API: every seller endpoint is scoped to the current merchant.

A seller viewset declares ``queryset_for_merchant(merchant)`` (or a ``model`` inheriting
``MerchantOwned``) and the capability each action needs. Objects of other merchants are
outside the queryset, so they are 404 like objects that do not exist.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from marketplace.tenancy import current_membership


class IsMerchantMember(permissions.BasePermission):
    message = _("Pick a merchant you work for: send the X-Merchant header with its id.")

    def has_permission(self, request, view) -> bool:
        membership = current_membership(request)
        if membership is None:
            return False
        needed = view.capability_for(request)
        if needed and not membership.can(needed):
            self.message = _("Your role may not do this.")
            return False
        return True


class SellerAPIMixin:
    """Mixin for DRF views acting for the signed-in user's current merchant."""

    permission_classes = [permissions.IsAuthenticated, IsMerchantMember]
    # action -> capability; "*" is the default. Reads need "view".
    capabilities: dict[str, str] = {"*": "view"}

    def capability_for(self, request) -> str | None:
        action = getattr(self, "action", None) or request.method.lower()
        return self.capabilities.get(action, self.capabilities.get("*"))

    @property
    def merchant(self):
        membership = current_membership(self.request)
        return membership.merchant if membership else None

    @property
    def membership(self):
        return current_membership(self.request)

    def queryset_for_merchant(self, merchant):
        return self.model.objects.for_merchant(merchant)

    def get_queryset(self):
        return self.queryset_for_merchant(self.merchant)
