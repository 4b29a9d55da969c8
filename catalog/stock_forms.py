"""Seller-portal forms for stock: filters, adjustments, CSV uploads. They only check and
shape input; ``catalog.services.stock`` and ``catalog.services.imports`` hold the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import SKU, ImportJob
from catalog.services.stock import MANUAL_REASONS
from logistics import selectors as warehouse_selectors
from logistics.models import Warehouse

REASON_CHOICES = [(r.value, r.label) for r in MANUAL_REASONS]


class StockFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Warehouse kind"),
        choices=[("", _("All kinds")), *Warehouse.Kind.choices],
        required=False,
    )
    low = forms.BooleanField(label=_("Low stock only"), required=False)

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouse_selectors.warehouses_usable_by(merchant)
        self.fields["warehouse"].empty_label = _("All warehouses")


class AdjustForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *REASON_CHOICES])
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=0,
        help_text=_(
            "Receipt, return and damage: how many units. Correction: the new counted "
            "quantity on hand."
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class NewAdjustForm(AdjustForm):
    sku_code = forms.CharField(label=_("SKU code"), max_length=64)
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    field_order = ["sku_code", "warehouse", "reason", "quantity", "note"]

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.merchant = merchant
        self.fields["warehouse"].queryset = warehouse_selectors.warehouses_usable_by(
            merchant, active_only=True
        )

    def clean_sku_code(self):
        code = self.cleaned_data["sku_code"].strip()
        sku = SKU.objects.for_merchant(self.merchant).filter(code=code).first()
        if sku is None:
            raise ValidationError(_("You have no SKU with this code."))
        self.sku = sku
        return code


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportJob.Kind.choices)
    # Empty files reach the import, which reports them like every other file problem.
    file = forms.FileField(label=_("CSV file"), allow_empty_file=True)
