"""Duty quote API: the request (validated here, errors named by field) and the response."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customs.identity import validate_id_number
from customs.models import FlagChoice, ModeChoice
from marketplace.api import fields as api_fields
from marketplace.api.schema import ErrorSerializer  # noqa: F401 - the quote's error answers
from marketplace.rules import field_error

MAX_LINES = 100

HS_CODE = RegexValidator(
    r"^[0-9]{4,10}$", _("An HS code is 4 to 10 digits, without dots or spaces.")
)
CURRENCY = RegexValidator(r"^[A-Z]{3}$", _("Use the three-letter ISO 4217 code (CNY, EUR)."))
COUNTRY = RegexValidator(r"^[A-Z]{2}$", _("Use the two-letter ISO 3166-1 code (CN, DE)."))


def _amount(help_text, **kwargs) -> api_fields.DecimalField:
    return api_fields.DecimalField(
        max_digits=16, decimal_places=4, min_value=0, help_text=help_text, **kwargs
    )


class UpperCharField(serializers.CharField):
    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


class QuoteLineSerializer(serializers.Serializer):
    sku = serializers.CharField(
        max_length=64, required=False, default="", help_text=_("Your reference for the line")
    )
    hs_code = serializers.CharField(
        max_length=10, validators=[HS_CODE], help_text=_("HS code, 4 to 10 digits")
    )
    quantity = api_fields.IntegerField(min_value=1, max_value=1_000_000)
    unit_price = _amount(_("Price of one unit, tax exclusive, as a string"))
    currency = UpperCharField(
        min_length=3, max_length=3, validators=[CURRENCY], help_text=_("ISO 4217, e.g. CNY")
    )
    discount = _amount(
        _("A real price cut on the whole line (not points or vouchers)"),
        required=False,
        default=Decimal(0),
    )
    postal_category = serializers.CharField(
        max_length=10,
        required=False,
        default="",
        allow_blank=True,
        help_text=_("Personal-parcel tax category, overriding the one of the HS code"),
    )
    attributes = serializers.ListField(
        child=serializers.ChoiceField(choices=FlagChoice.choices),
        required=False,
        default=list,
        help_text=_("Product flags that select special rates"),
    )
    has_product_record = serializers.BooleanField(
        required=False,
        default=True,
        help_text=_("Whether the product has a customs product record (needed for 1210)"),
    )

    def validate(self, attrs):
        if attrs["discount"] > attrs["quantity"] * attrs["unit_price"]:
            raise field_error(
                "discount",
                _("The discount cannot be more than quantity × unit price."),
                "discount_too_large",
            )
        return attrs


class QuoteRequestSerializer(serializers.Serializer):
    destination = UpperCharField(
        min_length=2, max_length=2, validators=[COUNTRY], help_text=_("ISO 3166-1 alpha-2")
    )
    mode = serializers.ChoiceField(choices=ModeChoice.choices, help_text=_("Clearance mode"))
    order_date = serializers.DateField(
        required=False, help_text=_("Selects the rules in force (default: today)")
    )
    currency = UpperCharField(
        min_length=3,
        max_length=3,
        required=False,
        validators=[CURRENCY],
        help_text=_("Currency of freight, insurance and order cuts (default: the first line's)"),
    )
    freight = _amount(_("Freight charged to the buyer"), required=False, default=Decimal(0))
    insurance = _amount(_("Insurance charged to the buyer"), required=False, default=Decimal(0))
    order_discount = _amount(
        _("A real price cut over the whole order"), required=False, default=Decimal(0)
    )
    non_cash_deductions = _amount(
        _("Points, vouchers and virtual currency used (they do not lower the taxes)"),
        required=False,
        default=Decimal(0),
    )
    id_number = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=40,
        help_text=_(
            "The buyer's identity number (China imports). When it is an identity saved on "
            "the signed-in caller's own account, the answer says how much of its yearly "
            "allowance is left; otherwise it changes nothing. Never sent back."
        ),
    )
    lines = QuoteLineSerializer(many=True, allow_empty=False, max_length=MAX_LINES)

    def validate_id_number(self, value: str) -> str:
        if not value:
            return ""
        try:
            return validate_id_number(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


# --- response ------------------------------------------------------------------------------


class RegimeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text=_("In the request's language"))
    effective_from = serializers.DateField()


class MessageSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField(help_text=_("In the request's language"))


class TaxSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    base = serializers.CharField(help_text=_("Amount the rate applies to"))
    rate = serializers.CharField()
    factor = serializers.CharField(help_text=_("Share of the statutory tax charged (0.7 in CBEC)"))
    amount = serializers.CharField()
    waived = serializers.BooleanField()
    due = serializers.CharField(help_text=_("What is paid: 0 when waived"))


class TotalSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    amount = serializers.CharField()


class LineResultSerializer(serializers.Serializer):
    sku = serializers.CharField()
    hs_code = serializers.CharField()
    hs_prefix = serializers.CharField(help_text=_("The rate row used (longest matching prefix)"))
    rate_flag = serializers.CharField()
    goods_value = serializers.CharField()
    freight = serializers.CharField()
    insurance = serializers.CharField()
    dutiable_value = serializers.CharField()
    tax_total = serializers.CharField()
    taxes = TaxSerializer(many=True)


class QuoteResponseSerializer(serializers.Serializer):
    regime = RegimeSerializer()
    currency = serializers.CharField(help_text=_("Every amount is in this currency"))
    order_date = serializers.DateField()
    blocked = serializers.BooleanField(help_text=_("The order cannot be paid as it stands"))
    blocking = MessageSerializer(many=True)
    notices = MessageSerializer(many=True)
    collected_at_checkout = serializers.BooleanField(
        help_text=_("False: an estimate, collected on import")
    )
    goods_value = serializers.CharField()
    freight = serializers.CharField()
    insurance = serializers.CharField()
    dutiable_value = serializers.CharField()
    non_cash_deductions = serializers.CharField()
    tax_total = serializers.CharField()
    waived_total = serializers.CharField()
    totals = TotalSerializer(many=True)
    lines = LineResultSerializer(many=True)
    switched_from = serializers.CharField()
    yearly_limit = serializers.CharField(allow_null=True)
    yearly_remaining = serializers.CharField(
        allow_null=True,
        help_text=_("Only for an identity saved on the signed-in caller's own account"),
    )
    yearly_counted = serializers.CharField(allow_null=True)
