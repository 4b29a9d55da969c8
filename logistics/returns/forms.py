"""Forms of the return pages (the shopper's order page, the seller portal): input only;
``logistics.returns.services`` decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_WINDOW_DAYS, ReturnLine


class ReturnRequestForm(forms.Form):
    """Units to return per order line (``line_<id>``, 0 = keep) and why."""

    reason = forms.CharField(
        label=_("Why are you returning it?"), max_length=2000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args, returnable=(), **kwargs):
        # the order page has the refund request form too: its own ids (``id_reason``)
        kwargs.setdefault("auto_id", "id_return_%s")
        super().__init__(*args, **kwargs)
        self.returnable = [(line, left) for line, left in returnable if left > 0]
        for line, left in self.returnable:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"{line.sku_code} · {line.name_zh_hans or line.name_en}",
                min_value=0,
                max_value=left,
                initial=0,
                required=False,
            )
        self.order_fields([*(f"line_{line.pk}" for line, _left in self.returnable), "reason"])

    def line_fields(self):
        return [self[f"line_{line.pk}"] for line, _left in self.returnable]

    def lines(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data[f"line_{line.pk}"]
            for line, _left in self.returnable
            if self.cleaned_data.get(f"line_{line.pk}")
        }

    def clean(self):
        data = super().clean()
        if not self.errors and not self.lines():
            raise forms.ValidationError(_("Pick at least one line to return."))
        return data


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why is it declined?"), max_length=2000)


class ReceiveForm(forms.Form):
    """Per return line (``outcome_<id>``): restock or write off; an optional smaller refund."""

    refund = forms.DecimalField(
        label=_("Refund (leave empty for the full amount of the returned lines)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.return_lines = list(request.lines.all()) if request is not None else []
        choices = [c for c in ReturnLine.Outcome.choices if c[0]]
        for line in self.return_lines:
            self.fields[f"outcome_{line.pk}"] = forms.ChoiceField(
                label=f"{line.order_line.sku_code} × {line.quantity}",
                choices=choices,
                initial=ReturnLine.Outcome.RESTOCK,
            )
        self.order_fields([f"outcome_{line.pk}" for line in self.return_lines] + ["refund"])

    def outcomes(self) -> dict[int, str]:
        return {line.pk: self.cleaned_data[f"outcome_{line.pk}"] for line in self.return_lines}


class PolicyForm(forms.Form):
    window_days = forms.IntegerField(
        label=_("Return window (days after delivery; 0: no returns)"),
        min_value=0,
        max_value=MAX_WINDOW_DAYS,
    )
    policy = forms.CharField(
        label=_("Return policy shoppers read"),
        required=False,
        max_length=4000,
        widget=forms.Textarea({"rows": 5}),
    )
