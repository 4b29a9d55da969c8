"""Kernel API: who am I, currencies, conversion, token log-in."""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from marketplace.api import fields as api_fields
from marketplace.lockout import LOCKED_OUT_CODE, cooloff_seconds, locked_out_message
from marketplace.money import Money, MoneyError, convert, format_money
from marketplace.selectors import currencies_offered, fx_rates_current
from marketplace.tenancy import memberships_for


class MeSerializer(serializers.Serializer):
    id = api_fields.IntegerField()
    email = serializers.EmailField()
    display_name = serializers.CharField()
    is_operator = serializers.BooleanField()
    merchants = serializers.ListField(child=serializers.DictField())


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer, tags=["account"])
    def get(self, request):
        user = request.user
        return Response(
            {
                "id": user.pk,
                "email": user.email,
                "display_name": user.display_name,
                "is_operator": user.is_operator,
                "merchants": [
                    {"id": m.merchant_id, "name": m.merchant.name, "role": m.role}
                    for m in memberships_for(user)
                ],
            }
        )


class CurrencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    minor_unit = api_fields.IntegerField()
    rate_to_base = serializers.CharField(allow_null=True)


class CurrencyListView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "CurrencyList",
            {
                "base": serializers.CharField(help_text="The base currency rates are quoted to."),
                "results": CurrencySerializer(many=True),
            },
        ),
        tags=["money"],
    )
    def get(self, request):
        rates = fx_rates_current()
        return Response(
            {
                "base": settings.BASE_CURRENCY,
                "results": [
                    {
                        "code": c.code,
                        "name": c.name,
                        "minor_unit": c.minor_unit,
                        # Money travels as strings in JSON: floats cannot hold it exactly.
                        "rate_to_base": str(rates[c.code]) if c.code in rates else None,
                    }
                    for c in currencies_offered()
                ],
            }
        )


class ConvertQuery(serializers.Serializer):
    amount = api_fields.DecimalField(max_digits=18, decimal_places=6)
    source = serializers.CharField(max_length=3, min_length=3, help_text="ISO 4217, e.g. USD")
    target = serializers.CharField(max_length=3, min_length=3, help_text="ISO 4217, e.g. CNY")

    def validate(self, attrs):
        rates = fx_rates_current()
        for field in ("source", "target"):
            code = attrs[field].upper()
            if code not in rates:
                raise serializers.ValidationError(
                    {field: _("No exchange rate is set for this currency.")}, code="no_fx_rate"
                )
            attrs[field] = code
        return attrs


class ConvertResult(serializers.Serializer):
    amount = serializers.CharField()
    currency = serializers.CharField()
    display = serializers.CharField()


class ConvertView(APIView):
    """Convert an amount at the operator's current rates, rounded half-up once."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[ConvertQuery], responses=ConvertResult, tags=["money"])
    def get(self, request):
        query = ConvertQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            result = convert(
                Money(Decimal(data["amount"]), data["source"]),
                data["target"],
                fx_rates_current(),
                base=settings.BASE_CURRENCY,
            )
        except MoneyError as exc:
            raise serializers.ValidationError({"amount": str(exc)}, code="amount_invalid") from exc
        return Response(
            {
                "amount": str(result.amount),
                "currency": result.currency,
                "display": format_money(result, get_language() or "en"),
            }
        )


class LoginLockedOut(exceptions.Throttled):
    """A log-in refused by the lockout (marketplace/lockout.py): a 429 with ``retry_after``
    and ``Retry-After`` like a throttle, with its own code and message."""

    default_code = LOCKED_OUT_CODE

    def __init__(self):
        # Not Throttled's own __init__: it would append "Expected available in …" in English.
        exceptions.APIException.__init__(self, locked_out_message(), LOCKED_OUT_CODE)
        self.wait = cooloff_seconds()


class TokenView(ObtainAuthToken):
    """Exchange email + password for an API token (throttled, and locked out after too many
    failures like every log-in door)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"
    # DRF's view names its own parsers; ours limit JSON nesting like every other endpoint.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            # Axes flags the request it saw (this DRF request) when the account or client
            # is locked, or this failure reached the limit; its middleware sees only Django's.
            if getattr(request, "axes_locked_out", False):
                raise LoginLockedOut() from None
            raise
