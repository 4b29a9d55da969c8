"""Seller-portal forms for warehouses. They only check and shape input; the services in
``logistics.services`` hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Warehouse


class WarehouseForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits and hyphens; used in stock files. Cannot change later."),
    )
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    name_zh_hans = forms.CharField(label=_("Name (Chinese)"), max_length=120, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Warehouse.Kind.OVERSEAS.value, Warehouse.Kind.OVERSEAS.label),
            (Warehouse.Kind.DOMESTIC.value, Warehouse.Kind.DOMESTIC.label),
        ],
        help_text=_("Bonded warehouses are registered by the platform's operators."),
    )
    country = forms.CharField(
        label=_("Country"), max_length=2, help_text=_("Two-letter code, e.g. NZ, JP, CN.")
    )
    address = forms.CharField(label=_("Address"), widget=forms.Textarea, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class WarehouseEditForm(WarehouseForm):
    """Code and kind never change once a warehouse is registered."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["code"]
        del self.fields["kind"]
