"""The seller portal's shipment form: an order split into parcels (units of each line per
parcel, weight, dimensions, waybill). It only reads input into ``ParcelSpec``s;
``shipment_create`` decides (its refusals come back with ``form_add_service_errors``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.shipments import WAYBILL_NEW, WAYBILL_ORDER, ParcelSpec

MAX_PARCELS = 10
WAYBILL_CHOICES = [
    (WAYBILL_ORDER, _("The order's waybill")),
    (WAYBILL_NEW, _("A new waybill number")),
]


def _decimal(label, digits, places):
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_digits=digits, decimal_places=places
    )


class ShipmentForm(forms.Form):
    def __init__(self, *args, order, parcels: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.count = max(1, min(int(parcels), MAX_PARCELS))
        self.lines = [line for line in order.lines.all() if line.quantity > line.refunded_quantity]
        self.parcel_fields = []
        for i in range(self.count):
            names = {}
            for line in self.lines:
                name = f"p{i}_line{line.pk}"
                self.fields[name] = forms.IntegerField(
                    label=line.sku_code,
                    min_value=0,
                    initial=(line.quantity - line.refunded_quantity) if i == 0 else 0,
                )
                names.setdefault("lines", []).append((line, name))
            for key, label, digits, places in (
                ("weight", _("Weight (kg)"), 8, 3),
                ("length", _("Length (cm)"), 6, 1),
                ("width", _("Width (cm)"), 6, 1),
                ("height", _("Height (cm)"), 6, 1),
            ):
                self.fields[f"p{i}_{key}"] = _decimal(label, digits, places)
            self.fields[f"p{i}_waybill"] = forms.ChoiceField(
                label=_("Waybill"),
                choices=WAYBILL_CHOICES,
                initial=WAYBILL_ORDER if i == 0 else WAYBILL_NEW,
            )
            self.parcel_fields.append(
                {
                    "number": i + 1,
                    "lines": [(line, self[name]) for line, name in names.get("lines", [])],
                    "sizes": [self[f"p{i}_{k}"] for k in ("weight", "length", "width", "height")],
                    "waybill": self[f"p{i}_waybill"],
                }
            )

    def parcels(self) -> list[ParcelSpec]:
        """The parcels as the service takes them (parcels left empty are dropped)."""
        data = self.cleaned_data
        specs = []
        for i in range(self.count):
            lines = {
                line.pk: data[f"p{i}_line{line.pk}"]
                for line in self.lines
                if data.get(f"p{i}_line{line.pk}")
            }
            if not lines:
                continue
            specs.append(
                ParcelSpec(
                    lines=lines,
                    weight_kg=data.get(f"p{i}_weight"),
                    length_cm=data.get(f"p{i}_length"),
                    width_cm=data.get(f"p{i}_width"),
                    height_cm=data.get(f"p{i}_height"),
                    waybill=data[f"p{i}_waybill"],
                )
            )
        return specs
