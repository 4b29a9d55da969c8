"""Forms of the order screens (shopper, seller portal, back office): input only; the
services decide (orders.services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.clearance import ClearanceMode
from marketplace.clearance_labels import mode_label
from orders.models import Order
from orders.selectors import OrderFilters


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Order number"), required=False, max_length=20)
    status = forms.ChoiceField(label=_("Status"), required=False)
    mode = forms.ChoiceField(label=_("Clearance"), required=False)
    placed_from = forms.DateField(
        label=_("Placed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    placed_to = forms.DateField(
        label=_("Placed until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *Order.Status.choices]
        self.fields["mode"].choices = [("", _("Any clearance")), *mode_choices()]

    def filters(self) -> OrderFilters:
        if not self.is_valid():
            return OrderFilters()
        data = self.cleaned_data
        return OrderFilters(
            status=data.get("status") or "",
            mode=data.get("mode") or "",
            placed_from=data.get("placed_from"),
            placed_to=data.get("placed_to"),
            q=data.get("q") or "",
        )


def mode_choices() -> list[tuple[str, str]]:
    return [(str(mode), mode_label(mode)) for mode in ClearanceMode]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Team note (the shopper does not see it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (leave empty to refund everything not refunded yet)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RefundRequestForm(RefundForm):
    """The shopper's request: the same fields, in the shopper's words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = _("Amount (leave empty for everything not refunded yet)")
        self.fields["reason"].label = _("Why do you want a refund?")
