"""Marketing forms: input shapes only; the services decide (marketing.flash.services)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import SKU

from .models import Coupon


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


class CouponForm(forms.Form):
    """A merchant's coupon or spend-and-save promotion (``coupon_create`` checks the rules)."""

    title_zh_hans = forms.CharField(label=_("Title (Chinese)"), max_length=120)
    title_en = forms.CharField(label=_("Title (English)"), max_length=120, required=False)
    automatic = forms.BooleanField(
        label=_("Spend and save: applies automatically, no claim needed"), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Coupon.Kind.choices)
    amount = forms.DecimalField(label=_("Amount off"), required=False, min_value=0)
    percent = forms.DecimalField(label=_("Percent off"), required=False, min_value=0, max_value=100)
    cap = forms.DecimalField(label=_("At most off"), required=False, min_value=0)
    tiers = forms.CharField(
        label=_("Tiers"),
        required=False,
        help_text=_("One per line: spend, off (e.g. 299, 30)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    threshold = forms.DecimalField(label=_("Minimum spend"), required=False, min_value=0)
    code = forms.CharField(label=_("Code"), max_length=32, required=False)
    starts_at = forms.DateTimeField(
        label=_("Valid from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Valid until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    issue_limit = forms.IntegerField(label=_("Coupons to issue"), required=False, min_value=1)
    per_shopper_limit = forms.IntegerField(label=_("Per shopper"), min_value=1, initial=1)
    audience = forms.ChoiceField(
        label=_("Who may use it"),
        choices=[c for c in Coupon.Audience.choices if c[0] != Coupon.Audience.LIST],
    )
    stackable = forms.BooleanField(
        label=_("Combines with other promotions"), required=False, initial=True
    )

    def clean_tiers(self):
        rows = []
        for n, row in enumerate((self.cleaned_data.get("tiers") or "").splitlines(), start=1):
            if not row.strip():
                continue
            parts = [p.strip() for p in row.replace("，", ",").split(",")]
            if len(parts) != 2:
                raise forms.ValidationError(
                    _("Line %(n)s: write spend, off."), code="tiers_format", params={"n": n}
                )
            rows.append(parts)
        return rows

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["scope"] = Coupon.ScopeKind.MERCHANT
        return {k: v for k, v in data.items() if v not in (None, "")} | {
            "stackable": data["stackable"],
            "automatic": data["automatic"],
        }


class GiftPromotionForm(forms.Form):
    """A gift with purchase (满赠): ``gift_promotion_create`` / ``_edit`` check the rules."""

    title_zh_hans = forms.CharField(label=_("Title (Chinese)"), max_length=120)
    title_en = forms.CharField(label=_("Title (English)"), max_length=120, required=False)
    gift_sku = forms.ModelChoiceField(label=_("Gift"), queryset=SKU.objects.none())
    quantity = forms.IntegerField(label=_("Gift quantity"), min_value=1, max_value=99, initial=1)
    threshold = forms.DecimalField(
        label=_("Minimum spend"),
        max_digits=14,
        decimal_places=2,
        help_text=_("What the order's goods of your store cost after discounts."),
    )
    starts_at = forms.DateTimeField(
        label=_("Valid from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Valid until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, merchant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gift_sku"].queryset = SKU.objects.for_merchant(merchant).select_related(
            "product"
        )
        self.fields["gift_sku"].label_from_instance = lambda s: f"{s.code} · {s.product.name}"

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["title"] = data["title_zh_hans"]
        return data
