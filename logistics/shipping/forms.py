"""Forms for the shipping network: back-office rows checked against the whole network
before saving, and the merchant's free-shipping threshold. They shape input; the rules
live in ``logistics.shipping.services``."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from logistics.models import Warehouse
from marketplace.currency import currency_label
from marketplace.forms import form_add_service_errors
from marketplace.models import Currency

from .models import ShippingRoute
from .rates import ParcelLine
from .regions import CN_PROVINCES, is_country, place_name
from .services import network_check, network_conflicts, route_price_errors


class NetworkCheckedForm(forms.ModelForm):
    """A carrier, method, zone or route form that refuses an edit the rest of the network
    contradicts (a tie between two routes, prices that do not fit the currency)."""

    check_conflicts = True

    def _post_clean(self):
        super()._post_clean()
        if self._errors:
            return
        try:
            network_check(self.instance, conflicts=self.check_conflicts)
        except ValidationError as exc:
            form_add_service_errors(self, exc)


class RouteInlineForm(NetworkCheckedForm):
    # The formset checks ties across all its rows at once (see RouteInlineFormSet).
    check_conflicts = False


class RouteInlineFormSet(forms.BaseInlineFormSet):
    """The routes of one method, edited together: ties are looked for among the submitted
    rows as they will be, not against the rows they replace."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = []
        currency = self.instance.currency_id
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            if self.can_delete and self._should_delete_form(form):
                form.instance.is_active = False  # a deleted row ties with nothing
            elif currency:
                # The method's currency as submitted with it (it may be new or changing).
                for name, errors in route_price_errors(form.instance, currency).items():
                    form.add_error(name, errors)
            rows.append(form.instance)
        if any(self.errors):
            return
        problems = network_conflicts(routes=rows)
        if problems:
            raise ValidationError(problems)


class FreeShippingForm(forms.Form):
    """The merchant's free-shipping threshold: an amount (empty: no free shipping) and
    its currency."""

    free_shipping_threshold = forms.DecimalField(
        label=_("Free shipping from"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_(
            "Orders whose goods come to this amount or more ship free by the methods "
            "listed below. Leave empty to charge shipping on every order."
        ),
    )
    currency = forms.ChoiceField(label=_("Currency"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language() or "en"
        self.fields["currency"].choices = [
            (code, currency_label(code, language))
            for code in Currency.objects.filter(is_active=True)
            .order_by("code")
            .values_list("code", flat=True)
        ]


ROUTE_FIELDS = [
    "origin_zone",
    "origin_kind",
    "destination_zone",
    "min_days",
    "max_days",
    "working_days",
    "first_weight_kg",
    "first_weight_price",
    "step_kg",
    "step_price",
    "minimum_charge",
    "is_active",
]


class RouteForm(NetworkCheckedForm):
    class Meta:
        model = ShippingRoute
        fields = ["method", *ROUTE_FIELDS]


def _currency_choices() -> list[tuple[str, str]]:
    return [
        (code, code)
        for code in Currency.objects.filter(is_active=True)
        .order_by("code")
        .values_list("code", flat=True)
    ]


class TryShippingForm(forms.Form):
    """The back office's "try shipping": a parcel, an address and the shopper's currency."""

    warehouse = forms.ModelChoiceField(
        label=_("From warehouse"), queryset=Warehouse.objects.filter(is_active=True)
    )
    country = forms.CharField(
        label=_("Country"), max_length=2, help_text=_("ISO code of the address: CN, FR, US…")
    )
    province = forms.ChoiceField(label=_("Province (China)"), required=False)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=12)
    goods_subtotal = forms.DecimalField(
        label=_("Goods subtotal"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    subtotal_currency = forms.ChoiceField(label=_("Subtotal currency"), initial="CNY")
    free_shipping_threshold = forms.DecimalField(
        label=_("Free shipping from"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("The merchant's threshold; empty: no free shipping."),
    )
    threshold_currency = forms.ChoiceField(label=_("Threshold currency"), initial="CNY")
    currency = forms.ChoiceField(label=_("Shopper's currency"), initial="CNY")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language() or "en"
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True).order_by(
            "code"
        )
        self.fields["province"].choices = [("", "—")] + [
            (code, f"{code} {place_name(code, language)}") for code in sorted(CN_PROVINCES)
        ]
        choices = _currency_choices()
        for name in ("subtotal_currency", "threshold_currency", "currency"):
            self.fields[name].choices = choices

    def clean_country(self) -> str:
        code = self.cleaned_data["country"].strip().upper()
        if not is_country(code):
            raise ValidationError(_("Use the two-letter ISO 3166-1 code (GB, not UK)."))
        return code


class ParcelLineForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    unit_weight_kg = forms.DecimalField(
        label=_("Unit weight (kg)"), required=False, min_value=0, max_digits=8, decimal_places=3
    )
    length_cm = forms.DecimalField(
        label=_("Length (cm)"), required=False, min_value=0, max_digits=8, decimal_places=1
    )
    width_cm = forms.DecimalField(
        label=_("Width (cm)"), required=False, min_value=0, max_digits=8, decimal_places=1
    )
    height_cm = forms.DecimalField(
        label=_("Height (cm)"), required=False, min_value=0, max_digits=8, decimal_places=1
    )

    def parcel_line(self) -> ParcelLine | None:
        """The line as the pricing function takes it; ``None`` for a row left without weight."""
        data = getattr(self, "cleaned_data", None) or {}
        if data.get("unit_weight_kg") is None:
            return None
        zero = Decimal(0)
        return ParcelLine(
            data.get("quantity") or 1,
            data["unit_weight_kg"],
            data.get("length_cm") or zero,
            data.get("width_cm") or zero,
            data.get("height_cm") or zero,
        )


ParcelLineFormSet = forms.formset_factory(ParcelLineForm, extra=3, max_num=20, validate_max=True)
