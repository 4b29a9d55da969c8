"""Distribution pages beyond the dashboard: a distributor's withdrawal request
(``/<lang>/distribution/withdraw/``) and the seller portal's commission rates
(``/<lang>/seller/marketing/distribution/``)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from catalog.models import Category, Product
from marketplace.forms import form_add_service_errors
from marketplace.money import Money
from marketplace.portal import SellerPortalMixin
from merchants.roles import Capability

from .distribution.ledger import withdrawal_request
from .distribution.models import CommissionRate
from .distribution.rates import commission_rate_set, default_rates


class WithdrawalForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )


@login_required
@require_POST
def distribution_withdraw(request):
    """Ask to withdraw part of the confirmed balance (the shop's base currency)."""
    form = WithdrawalForm(request.POST)
    if form.is_valid():
        try:
            withdrawal_request(
                user=request.user,
                amount=Money(form.cleaned_data["amount"], settings.BASE_CURRENCY),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Withdrawal requested: an operator reviews it."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("distribution:dashboard")


class RateForm(forms.Form):
    SCOPES = [
        ("merchant", _("All my goods")),
        ("category", _("A category")),
        ("product", _("One product")),
    ]
    scope = forms.ChoiceField(label=_("For"), choices=SCOPES)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False
    )
    rate = forms.DecimalField(label=_("Commission %"), max_digits=5, decimal_places=2, min_value=0)
    level2_rate = forms.DecimalField(
        label=_("Level-2 commission %"), max_digits=5, decimal_places=2, min_value=0
    )
    rebate_rate = forms.DecimalField(
        label=_("Buyer rebate %"), max_digits=5, decimal_places=2, min_value=0
    )

    def __init__(self, *args, merchant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.for_merchant(merchant)


class SellerDistributionRatesView(SellerPortalMixin, FormView):
    """The merchant's distribution rates: its rows (most specific wins) and a form to set one
    within the platform's bounds."""

    template_name = "seller/marketing/distribution_rates.html"
    form_class = RateForm
    write_capability = Capability.MANAGE_CATALOG

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "merchant": self.merchant}

    def get_initial(self):
        rates = default_rates()
        return {"rate": rates.rate, "level2_rate": rates.level2, "rebate_rate": rates.rebate}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rates"] = CommissionRate.objects.filter(merchant=self.merchant).select_related(
            "category", "product"
        )
        context["defaults"] = default_rates()
        context["bounds"] = (
            settings.DISTRIBUTION_MERCHANT_MIN_PERCENT,
            settings.DISTRIBUTION_MERCHANT_MAX_PERCENT,
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        scope = data["scope"]
        try:
            commission_rate_set(
                merchant=self.merchant,
                category=data["category"] if scope == "category" else None,
                product=data["product"] if scope == "product" else None,
                rate=data["rate"],
                level2_rate=data["level2_rate"],
                rebate_rate=data["rebate_rate"],
                by_operator=False,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, {})
            return self.form_invalid(form)
        messages.success(self.request, gettext("Commission rate saved."))
        return redirect("seller_distribution:rates")
