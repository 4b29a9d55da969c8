"""Back-office forms: rate-table rows checked against the whole rate data before saving, and
the operator's "try a quote" form. They shape input; ``customs.services`` holds the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from customs.engine import LineItem
from customs.identity import validate_id_number
from customs.models import FlagChoice, ModeChoice, Regime
from customs.services import ratebook_check
from marketplace.digits import DIGIT

HS_CODE_HELP = _("4 to 10 digits, without dots or spaces.")


class RateBookCheckedForm(forms.ModelForm):
    """A rate-table row form that refuses a row the rest of the rate data contradicts.

    The engine's RateBook is built from every stored row with this one in place; its
    complaint (overlapping dates, a missing default row…) becomes the form's error, so the
    operator sees why and nothing is saved.
    """

    def _post_clean(self):
        super()._post_clean()
        if self._errors:
            return
        try:
            ratebook_check(replace=self.instance)
        except ValidationError as exc:
            self.add_error(None, exc)


class RegimeForm(RateBookCheckedForm):
    """Clearance modes as checkboxes; stored space-separated like the seed file."""

    modes = forms.MultipleChoiceField(
        label=_("clearance modes"),
        choices=ModeChoice.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: the regime is only reached by switching from another one."),
    )

    class Meta:
        model = Regime
        fields = [
            f.name
            for f in Regime._meta.get_fields()
            if getattr(f, "editable", False) and not f.auto_created and f.name != "updated_at"
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["modes"] = self.instance.modes.split()

    def clean_modes(self) -> str:
        return " ".join(sorted(self.cleaned_data["modes"]))

    def clean_destinations(self) -> str:
        return " ".join(self.cleaned_data["destinations"].upper().split())


# --- try a quote ---------------------------------------------------------------------------


def _money_field(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=0, max_digits=16, decimal_places=4, required=False, **kwargs
    )


class QuoteTryForm(forms.Form):
    """The order part of an operator's trial quote."""

    destination = forms.CharField(
        label=_("destination"),
        max_length=2,
        min_length=2,
        initial="CN",
        help_text=_("ISO country code, e.g. CN, DE, GB."),
    )
    mode = forms.ChoiceField(
        label=_("clearance mode"), choices=ModeChoice.choices, initial="direct"
    )
    order_date = forms.DateField(
        label=_("order date"),
        required=False,
        help_text=_("Empty: today. Selects the rules in force."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    currency = forms.CharField(
        label=_("order currency"),
        max_length=3,
        min_length=3,
        required=False,
        help_text=_("Of freight, insurance and cuts. Empty: the first line's."),
    )
    freight = _money_field(_("freight"))
    insurance = _money_field(_("insurance"))
    order_discount = _money_field(_("order discount (real price cut)"))
    non_cash_deductions = _money_field(_("points and vouchers used"))
    id_number = forms.CharField(
        label=_("buyer's identity number"),
        required=False,
        max_length=40,
        help_text=_("Optional, China only: uses the buyer's yearly total from the quota ledger."),
    )

    def clean_destination(self) -> str:
        value = self.cleaned_data["destination"].upper()
        if not (value.isascii() and value.isalpha()):
            raise ValidationError(_("Use the two-letter ISO 3166-1 code."))
        return value

    def clean_currency(self) -> str:
        value = (self.cleaned_data.get("currency") or "").upper()
        if value and not (value.isascii() and value.isalpha()):
            raise ValidationError(_("Use the three-letter ISO 4217 code (CNY, EUR)."))
        return value

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number") or ""
        return validate_id_number(value) if value.strip() else ""

    def amounts(self) -> dict[str, Decimal]:
        return {
            name: self.cleaned_data.get(name) or Decimal(0)
            for name in ("freight", "insurance", "order_discount", "non_cash_deductions")
        }


class QuoteLineForm(forms.Form):
    """One line of a trial quote; a row left without an HS code is ignored."""

    sku = forms.CharField(label=_("SKU"), max_length=64, required=False)
    hs_code = forms.RegexField(
        label=_("HS code"),
        regex=rf"^{DIGIT}{{4,10}}$",
        required=False,
        help_text=HS_CODE_HELP,
        error_messages={"invalid": _("An HS code is 4 to 10 digits, without dots or spaces.")},
    )
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1, required=False)
    unit_price = _money_field(_("unit price"))
    currency = forms.CharField(
        label=_("currency"), max_length=3, min_length=3, initial="CNY", required=False
    )
    discount = _money_field(_("line discount"))
    postal_category = forms.CharField(label=_("postal category"), max_length=10, required=False)
    attributes = forms.MultipleChoiceField(
        label=_("product flags"),
        choices=FlagChoice.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    has_product_record = forms.BooleanField(
        label=_("has a product record"), required=False, initial=True
    )

    def clean(self):
        data = super().clean()
        if not data.get("hs_code"):
            return data
        if data.get("unit_price") is None:
            self.add_error("unit_price", _("Enter the unit price."))
        currency = (data.get("currency") or "").upper()
        if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
            self.add_error("currency", _("Use the three-letter ISO 4217 code (CNY, EUR)."))
        data["currency"] = currency
        quantity = data.get("quantity") or 1
        data["quantity"] = quantity
        price = data.get("unit_price") or Decimal(0)
        if (data.get("discount") or 0) > quantity * price:
            self.add_error("discount", _("The discount cannot be more than quantity × unit price."))
        return data

    def line_item(self, index: int) -> LineItem | None:
        data = self.cleaned_data
        if not data.get("hs_code"):
            return None
        return LineItem(
            sku=data.get("sku") or f"#{index + 1}",
            hs_code=data["hs_code"],
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            currency=data["currency"],
            discount=data.get("discount") or Decimal(0),
            postal_category=data.get("postal_category") or "",
            attributes=frozenset(data.get("attributes") or ()),
            has_product_record=bool(data.get("has_product_record")),
        )


QuoteLineFormSet = forms.formset_factory(QuoteLineForm, extra=5, max_num=20)
