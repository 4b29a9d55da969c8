"""Seller-portal plumbing shared by every app's seller pages."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from .tenancy import current_membership

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class SellerPortalMixin(LoginRequiredMixin):
    """A seller page: signed in, acting for one merchant, with the capability it needs.

    Querysets must come from ``Model.objects.for_merchant(self.merchant)`` so another
    merchant's object is a 404.
    """

    capability: str = "view"
    #: needed instead of ``capability`` for requests that write (POST…); None: the same
    write_capability: str | None = None

    def required_capability(self, request) -> str | None:
        if self.write_capability and request.method not in SAFE_METHODS:
            return self.write_capability
        return self.capability

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = current_membership(request)
        if self.membership is None:
            return redirect("seller:choose")
        self.merchant = self.membership.merchant
        needed = self.required_capability(request)
        if needed and not self.membership.can(needed):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(merchant=self.merchant, membership=self.membership)
        return context
