"""Marketing forms: input shapes only; the services decide (marketing.flash.services)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import SKU


class FlashSaleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    per_shopper_limit = forms.IntegerField(label=_("Units per shopper"), min_value=1, initial=1)


class FlashItemForm(forms.Form):
    sku = forms.ModelChoiceField(label=_("SKU"), queryset=SKU.objects.none())
    flash_price = forms.DecimalField(
        label=_("Flash price"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    quantity = forms.IntegerField(label=_("Units on offer"), min_value=1)

    def __init__(self, *args, merchant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sku"].queryset = (
            SKU.objects.for_merchant(merchant).filter(is_active=True).select_related("product")
        )
        self.fields["sku"].label_from_instance = lambda s: f"{s.code} · {s.product.name}"


FlashItemFormSet = forms.formset_factory(FlashItemForm, extra=3, min_num=1, validate_min=True)


class FlashTakeForm(forms.Form):
    quantity = forms.IntegerField(label=_("Units"), min_value=1, initial=1)
