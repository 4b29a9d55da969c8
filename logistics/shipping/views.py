"""Seller portal: the merchant's free-shipping threshold (/<lang>/seller/shipping/).

Everyone on the team sees it; those who may set prices (the ``manage_catalog``
capability: owners, managers, staff) change it. It always belongs to the merchant the
request acts for, so there is no other merchant's row to reach.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from marketplace.currency import money_text
from marketplace.forms import form_add_service_errors
from marketplace.i18n import page_language
from marketplace.portal import SellerPortalMixin
from merchants.roles import Capability

from .forms import FreeShippingForm
from .selectors import free_shipping_methods, merchant_shipping_for
from .services import free_shipping_threshold_set


class FreeShippingView(SellerPortalMixin, FormView):
    capability = Capability.VIEW
    template_name = "seller/shipping/free_shipping.html"
    form_class = FreeShippingForm

    def may_edit(self) -> bool:
        return self.membership.can(Capability.MANAGE_CATALOG)

    def get_initial(self):
        self.terms = merchant_shipping_for(self.merchant)
        if self.terms is None:
            return {"currency": "CNY"}
        return {
            "free_shipping_threshold": self.terms.free_shipping_threshold,
            "currency": self.terms.currency_id,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        threshold = None
        if self.terms is not None and self.terms.free_shipping_threshold is not None:
            threshold = money_text(
                self.terms.free_shipping_threshold,
                self.terms.currency_id,
                page_language(),
            )
        context.update(
            terms=self.terms,
            threshold=threshold,
            may_edit=self.may_edit(),
            methods=free_shipping_methods(),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.may_edit():
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            free_shipping_threshold_set(
                merchant=self.merchant,
                amount=data["free_shipping_threshold"],
                currency=data["currency"],
                by=self.request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Your free-shipping threshold was saved."))
        return redirect("shipping:free_shipping")
