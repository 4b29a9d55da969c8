"""Forms of the seller portal's catalog pages and of the report-a-listing page.

Forms parse and present; the rules (HS code format, the bonded/record rule, tiers, currency
decimals…) live in ``catalog.services`` so the portal, the API and the CSV import refuse the
same input with the same message. ``marketplace.forms.form_add_service_errors`` puts a
service's field-named errors back on the form field the merchant sees.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    TRADE_MODE_FLAGS,
    Brand,
    Category,
    ListingReport,
    PostalTaxCategory,
    ProductRecordStatus,
    flags_for,
    modes_of,
)
from catalog.services.products import EXCISE_CATEGORIES, SkuInput
from marketplace.clearance import ClearanceMode
from marketplace.clearance_labels import sku_mode_choices
from marketplace.countries import country_choices, validate_country

# The customs measurement units merchants use most (China customs unit codes).
CUSTOMS_UNITS = [
    ("011", _("011 · piece (件)")),
    ("007", _("007 · unit (个)")),
    ("001", _("001 · set of equipment (台)")),
    ("006", _("006 · set (套)")),
    ("025", _("025 · pair (双)")),
    ("035", _("035 · kilogram")),
    ("036", _("036 · gram")),
    ("095", _("095 · litre")),
    ("096", _("096 · millilitre")),
    ("122", _("122 · can or tin (罐)")),
    ("125", _("125 · pack (包)")),
    ("136", _("136 · bag (袋)")),
    ("140", _("140 · box (盒)")),
    ("142", _("142 · bottle (瓶)")),
]


def currency_choices() -> list[tuple[str, str]]:
    from marketplace.models import Currency

    return [(c.code, c.code) for c in Currency.objects.filter(is_active=True).order_by("code")]


class ProductForm(forms.Form):
    """A product's own fields (variants and images have their own forms)."""

    name_zh_hans = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    description_zh_hans = forms.CharField(
        label=_("Description (Chinese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Simple HTML is kept (paragraphs, lists, bold, links, tables)."),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Simple HTML is kept (paragraphs, lists, bold, links, tables)."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=None
    )
    brand = forms.ModelChoiceField(
        label=_("Brand"),
        queryset=Brand.objects.none(),
        required=False,
        empty_label=_("No brand"),
    )
    listing_currency = forms.ChoiceField(label=_("Listing currency"))
    min_order_quantity = forms.IntegerField(
        label=_("Minimum order quantity"), min_value=1, initial=1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by(
            "position", "slug"
        )
        self.fields["brand"].queryset = Brand.objects.filter(is_active=True).order_by("slug")
        self.fields["listing_currency"].choices = currency_choices()

    def clean(self):
        data = super().clean()
        if not data.get("name_en", "").strip() and not data.get("name_zh_hans", "").strip():
            self.add_error("name_zh_hans", _("Give the product a name in at least one language."))
        return data


def parse_attributes(text: str) -> dict[str, str]:
    """``"colour: red\\nsize: M"`` -> ``{"colour": "red", "size": "M"}`` (also ``=`` or ``：``)."""
    attributes: dict[str, str] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        for separator in (":", "：", "="):
            if separator in line:
                key, value = (part.strip() for part in line.split(separator, 1))
                break
        else:
            key, value = "", ""
        if not key or not value:
            raise ValidationError(
                _("Line %(n)s: write one attribute per line as name: value, e.g. colour: red."),
                params={"n": number},
            )
        attributes[key] = value
    return attributes


def format_attributes(attributes: dict) -> str:
    return "\n".join(f"{k}: {v}" for k, v in (attributes or {}).items())


def _attributes_field(label, help_text) -> forms.CharField:
    """A variant's attributes in one language: a box of ``name: value`` lines."""
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


class SkuForm(forms.Form):
    """A variant with its price and cross-border data."""

    code = forms.CharField(label=_("SKU code"), max_length=64)
    attributes_zh_hans = _attributes_field(
        _("Attributes (Chinese)"), _("One per line, as name: value (for example 颜色: 红色).")
    )
    attributes_en = _attributes_field(
        _("Attributes (English)"), _("One per line, as name: value (for example colour: red).")
    )
    barcode = forms.CharField(label=_("Barcode"), max_length=32, required=False)
    price = forms.DecimalField(label=_("Price"), min_value=Decimal("0"), max_digits=14)
    min_order_quantity = forms.IntegerField(
        label=_("Minimum order quantity"), min_value=1, initial=1
    )
    low_stock_threshold = forms.IntegerField(label=_("Low-stock threshold"), min_value=0, initial=5)
    is_active = forms.BooleanField(label=_("On sale"), required=False, initial=True)
    hs_code = forms.CharField(
        label=_("HS code"),
        max_length=16,
        help_text=_("6, 8 or 10 digits, e.g. 3304990000."),
    )
    origin_country = forms.ChoiceField(
        label=_("Country of origin"),
        # a code that is not in the list gets the rule's own message (API and CSV say it too)
        error_messages={"invalid_choice": validate_country.message},
    )
    net_weight_kg = forms.DecimalField(
        label=_("Net weight (kg)"), min_value=Decimal("0"), decimal_places=3, max_digits=10
    )
    gross_weight_kg = forms.DecimalField(
        label=_("Gross weight (kg)"), min_value=Decimal("0"), decimal_places=3, max_digits=10
    )
    length_cm = forms.DecimalField(
        label=_("Length (cm)"), min_value=Decimal("0"), decimal_places=1, max_digits=8, initial=0
    )
    width_cm = forms.DecimalField(
        label=_("Width (cm)"), min_value=Decimal("0"), decimal_places=1, max_digits=8, initial=0
    )
    height_cm = forms.DecimalField(
        label=_("Height (cm)"), min_value=Decimal("0"), decimal_places=1, max_digits=8, initial=0
    )
    customs_unit = forms.ChoiceField(label=_("Customs unit"), choices=CUSTOMS_UNITS, initial="011")
    trade_modes = forms.MultipleChoiceField(
        label=_("Trade modes"),
        choices=sku_mode_choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ClearanceMode.DIRECT.value],
        error_messages={"required": _("Allow at least one trade mode.")},
    )
    postal_tax_category = forms.ChoiceField(
        label=_("Postal-tax band"), choices=PostalTaxCategory.choices, initial="20"
    )
    excise_category = forms.ChoiceField(
        label=_("Consumption-tax category"), choices=EXCISE_CATEGORIES, required=False
    )

    # Service field names that this form shows under another name.
    # "tiers" errors are shown above the tier rows by the view, not on this form.
    ALIASES = {**dict.fromkeys(TRADE_MODE_FLAGS.values(), "trade_modes"), "tiers": ""}

    def __init__(self, *args, lock_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin_country"].choices = [("", "—"), *country_choices(with_code=True)]
        current_unit = self.initial.get("customs_unit")
        if current_unit and current_unit not in dict(CUSTOMS_UNITS):
            self.fields["customs_unit"].choices = [*CUSTOMS_UNITS, (current_unit, current_unit)]
        if lock_code:
            self.fields["code"].disabled = True

    def clean_attributes_zh_hans(self):
        return parse_attributes(self.cleaned_data.get("attributes_zh_hans", ""))

    def clean_attributes_en(self):
        return parse_attributes(self.cleaned_data.get("attributes_en", ""))

    @classmethod
    def initial_for(cls, sku) -> dict:
        return {
            **{name: getattr(sku, name) for name in cls.base_fields if hasattr(sku, name)},
            "attributes_zh_hans": format_attributes(sku.attributes_zh_hans),
            "attributes_en": format_attributes(sku.attributes_en),
            "trade_modes": modes_of(sku),
        }

    def to_input(self, tiers: list[tuple[int, Decimal]]) -> SkuInput:
        data = dict(self.cleaned_data)
        flags = flags_for(data.pop("trade_modes", []))
        return SkuInput(**data, **flags, tiers=tiers)


class TierForm(forms.Form):
    min_quantity = forms.IntegerField(label=_("From quantity"), min_value=2, required=False)
    unit_price = forms.DecimalField(
        label=_("Unit price"), min_value=Decimal("0"), max_digits=14, required=False
    )

    def clean(self):
        data = super().clean()
        quantity, price = data.get("min_quantity"), data.get("unit_price")
        if (quantity is None) != (price is None) and not self.errors:
            raise ValidationError(_("Give both the quantity and the unit price, or neither."))
        return data


TierFormSet = forms.formset_factory(TierForm, extra=3, max_num=10, validate_max=True)


def tiers_from(formset) -> list[tuple[int, Decimal]]:
    return [
        (form.cleaned_data["min_quantity"], form.cleaned_data["unit_price"])
        for form in formset.forms
        if form.cleaned_data.get("min_quantity") is not None
    ]


class ImageForm(forms.Form):
    image = forms.FileField(
        label=_("Image"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
        help_text=_("JPEG, PNG, WebP or GIF, up to 5 MB."),
    )
    alt = forms.CharField(label=_("Description for screen readers"), max_length=200, required=False)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=ListingReport.Reason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you noticed, and where (for example the photo or the description)."),
    )


class ReasonForm(forms.Form):
    """The reason an operator gives for a rejection, a delisting or a report's resolution."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))


class ResolutionForm(forms.Form):
    """How an operator resolved a report (kept on the report and its event)."""

    reason = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 4}))


class ReportResolutionForm(ResolutionForm):
    delist = forms.BooleanField(
        label=_("Also delist the product (it leaves the storefront)"), required=False
    )


class RecordOverrideForm(forms.Form):
    """An operator sets a SKU's product record by hand (the reason is kept on the event)."""

    status = forms.ChoiceField(
        label=_("Set the product record to"),
        choices=[
            (ProductRecordStatus.RECORDED.value, ProductRecordStatus.RECORDED.label),
            (ProductRecordStatus.REJECTED.value, ProductRecordStatus.REJECTED.label),
        ],
    )
    number = forms.CharField(
        label=_("Record number"),
        max_length=64,
        required=False,
        help_text=_("Required for Recorded: the number customs gave."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))
