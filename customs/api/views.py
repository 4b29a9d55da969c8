"""POST /api/v1/duties/quote: duties and taxes of one order, for anyone (throttled)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from customs import selectors, services
from customs.engine import EngineError, LineItem
from customs.presenters import engine_error_fields, quote_view
from marketplace.api.parsers import JSONParser

from .serializers import ErrorSerializer, QuoteRequestSerializer, QuoteResponseSerializer


class QuoteRateThrottle(ScopedRateThrottle):
    """The "quote" scope, with the rate read when the request comes (settings can change)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


def dotted_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as flat field paths: ``{"lines[0].hs_code": ["…"]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY and prefix:
                path = prefix
            elif isinstance(key, int):  # a list serializer's errors, keyed by item index
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in dotted_errors(value, path).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(errors, list):
        if all(not isinstance(item, dict | list) for item in errors):
            out[prefix or api_settings.NON_FIELD_ERRORS_KEY] = list(errors)  # keeps codes
        else:
            for index, item in enumerate(errors):
                for field, messages in dotted_errors(item, f"{prefix}[{index}]").items():
                    out.setdefault(field, []).extend(messages)
    else:
        out[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [errors]
    return out


EXAMPLE_REQUEST = {
    "destination": "CN",
    "mode": "direct",
    "order_date": "2026-11-22",
    "currency": "CNY",
    "freight": "20.00",
    "lines": [
        {
            "sku": "TEE-M",
            "hs_code": "6109100022",
            "quantity": 1,
            "unit_price": "300.00",
            "currency": "CNY",
        }
    ],
}
EXAMPLE_RESPONSE = {
    "regime": {
        "code": "CN_CBEC_9610",
        "name": "China cross-border e-commerce retail import (direct purchase, 9610)",
        "effective_from": "2019-01-01",
    },
    "currency": "CNY",
    "order_date": "2026-11-22",
    "blocked": False,
    "blocking": [],
    "notices": [],
    "collected_at_checkout": True,
    "goods_value": "300.00",
    "freight": "20.00",
    "insurance": "0.00",
    "dutiable_value": "320.00",
    "non_cash_deductions": "0.00",
    "tax_total": "29.12",
    "waived_total": "0.00",
    "totals": [
        {"kind": "duty", "name": "Import duty", "amount": "0.00"},
        {"kind": "consumption_tax", "name": "Consumption tax", "amount": "0.00"},
        {"kind": "vat", "name": "VAT", "amount": "29.12"},
    ],
    "lines": [
        {
            "sku": "TEE-M",
            "hs_code": "6109100022",
            "hs_prefix": "61",
            "rate_flag": "",
            "goods_value": "300.00",
            "freight": "20.00",
            "insurance": "0.00",
            "dutiable_value": "320.00",
            "tax_total": "29.12",
            "taxes": [
                {
                    "kind": "duty",
                    "name": "Import duty",
                    "base": "320.00",
                    "rate": "0",
                    "factor": "1",
                    "amount": "0.00",
                    "waived": False,
                    "due": "0.00",
                },
                {
                    "kind": "consumption_tax",
                    "name": "Consumption tax",
                    "base": "320.00",
                    "rate": "0",
                    "factor": "0.7",
                    "amount": "0.00",
                    "waived": False,
                    "due": "0.00",
                },
                {
                    "kind": "vat",
                    "name": "VAT",
                    "base": "320.00",
                    "rate": "0.13",
                    "factor": "0.7",
                    "amount": "29.12",
                    "waived": False,
                    "due": "29.12",
                },
            ],
        }
    ],
    "switched_from": "",
    "yearly_limit": None,
    "yearly_remaining": None,
    "yearly_counted": None,
}


class DutyQuoteView(APIView):
    """Duties and taxes of one order (one parcel) under the regime its destination, clearance
    mode and date select, line by line. Anonymous callers are welcome; the "quote" throttle
    limits each client. Amounts are strings; texts follow Accept-Language (zh-hans or en).
    The yearly allowance is read only for an identity saved on the signed-in caller's own
    account; for anyone else the identity number changes nothing in the answer."""

    permission_classes = [permissions.AllowAny]
    parser_classes = [JSONParser]  # lines are nested: a form encoding cannot carry them
    throttle_classes = [QuoteRateThrottle]
    throttle_scope = "quote"

    @extend_schema(
        operation_id="duties_quote",
        tags=["duties"],
        summary=_("Quote duties and taxes for an order"),
        request=QuoteRequestSerializer,
        responses={
            200: QuoteResponseSerializer,
            400: OpenApiResponse(ErrorSerializer, description=_("A field breaks a rule")),
            429: OpenApiResponse(ErrorSerializer, description=_("Too many quotes: slow down")),
        },
        examples=[
            OpenApiExample(
                "China 9610, worked example 1",
                value=EXAMPLE_REQUEST,
                request_only=True,
            ),
            OpenApiExample(
                "China 9610, worked example 1",
                value=EXAMPLE_RESPONSE,
                response_only=True,
                status_codes=["200"],
            ),
        ],
    )
    def post(self, request):
        incoming = QuoteRequestSerializer(data=request.data)
        if not incoming.is_valid():
            raise serializers.ValidationError(dotted_errors(incoming.errors))
        data = incoming.validated_data
        language = get_language() or "en"
        lines = [
            LineItem(
                sku=line["sku"] or f"#{index + 1}",
                hs_code=line["hs_code"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                currency=line["currency"],
                discount=line["discount"],
                postal_category=line["postal_category"],
                attributes=frozenset(line["attributes"]),
                has_product_record=line["has_product_record"],
            )
            for index, line in enumerate(data["lines"])
        ]
        order_date = data.get("order_date") or timezone.localdate()
        id_number = data.get("id_number") or None
        if id_number and not selectors.quota_visible_to(user=request.user, id_number=id_number):
            # Not the caller's own saved identity: price it as if no number was sent, so the
            # answer says nothing about whoever the number belongs to.
            id_number = None
        try:
            result = services.duty_quote(
                destination=data["destination"],
                mode=data["mode"],
                lines=lines,
                currency=data.get("currency"),
                freight=data["freight"],
                insurance=data["insurance"],
                order_discount=data["order_discount"],
                non_cash_deductions=data["non_cash_deductions"],
                id_number=id_number,
                order_date=order_date,
            )
        except EngineError as exc:
            raise serializers.ValidationError(
                engine_error_fields(
                    exc, currencies=[line.currency for line in lines], language=language
                )
            ) from exc
        show_yearly = bool(id_number) and result.yearly_remaining is not None
        return Response(
            quote_view(
                result,
                language=language,
                order_date=order_date,
                yearly_limit=selectors.quota_limit(year=order_date.year) if show_yearly else None,
                show_yearly=show_yearly,
            )
        )


@extend_schema_view(post=extend_schema(exclude=True))
class DutyQuoteSlashView(DutyQuoteView):
    """The same endpoint with a trailing slash, left out of the schema (one operation)."""
