"""The seller portal's points rates (``/<lang>/seller/marketing/points/``): the merchant's own
points per yuan for all its goods and for its categories, within the platform's bounds
(``points_rate_set``); the rows the platform set are shown as its own."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from catalog.models import Category
from marketplace.forms import form_add_service_errors
from marketplace.portal import SellerPortalMixin
from merchants.roles import Capability

from .models import PointsRate
from .services import points_rate_delete, points_rate_set, points_rates_of


class PointsRateForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("All my goods"),
    )
    points_per_yuan = forms.DecimalField(
        label=_("Points per yuan"), max_digits=8, decimal_places=2, min_value=Decimal(0)
    )


class SellerPointsRatesView(SellerPortalMixin, FormView):
    """The merchant's points rates (the most specific one applies) and a form to set one."""

    template_name = "seller/marketing/points_rates.html"
    form_class = PointsRateForm
    write_capability = Capability.MANAGE_CATALOG

    def get_initial(self):
        return {"points_per_yuan": Decimal(settings.POINTS_EARN_PER_YUAN)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rates"] = points_rates_of(self.merchant)
        context["default"] = settings.POINTS_EARN_PER_YUAN
        context["high"] = settings.POINTS_MERCHANT_MAX_PER_YUAN
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            points_rate_set(
                merchant=self.merchant,
                category=data["category"],
                points_per_yuan=data["points_per_yuan"],
                by=self.request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, {})
            return self.form_invalid(form)
        messages.success(self.request, gettext("Points rate saved."))
        return redirect("seller_points:rates")


class SellerPointsRateDeleteView(SellerPortalMixin, TemplateView):
    """GET asks whether to delete one of the merchant's own rates (another merchant's is a
    404); POST deletes it (``points_rate_delete``), after which the next rate applies."""

    template_name = "seller/marketing/points_rate_delete.html"
    write_capability = Capability.MANAGE_CATALOG

    def rate(self) -> PointsRate:
        return get_object_or_404(
            PointsRate.objects.filter(merchant=self.merchant).select_related("category"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rate"] = self.rate()
        context["default"] = settings.POINTS_EARN_PER_YUAN
        return context

    def post(self, request, *args, **kwargs):
        try:
            points_rate_delete(rate=self.rate(), by=request.user)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
            return redirect("seller_points:rates")
        messages.success(request, gettext("Points rate deleted: the next rate applies."))
        return redirect("seller_points:rates")
