"""Seller API: the merchant's free-shipping threshold (``/api/v1/seller/shipping/``).

GET for every team member; PUT/PATCH for those who may set prices (``manage_catalog``).
The row is the acting merchant's own (the ``X-Merchant`` header picks which one), so no
other merchant's terms can be named.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import fields as api_fields
from marketplace.api.seller import SellerAPIMixin
from merchants.roles import Capability

from .selectors import free_shipping_methods, merchant_shipping_for
from .services import free_shipping_threshold_set


class FreeShippingSerializer(serializers.Serializer):
    free_shipping_threshold = api_fields.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        min_value=0,
        help_text="Goods subtotal from which the merchant's orders ship free; null: never.",
    )
    currency = serializers.CharField(max_length=3, help_text="ISO 4217 code of the amount.")
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    covered_methods = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Codes of the shipping methods the threshold makes free.",
    )


def _terms_data(merchant) -> dict:
    terms = merchant_shipping_for(merchant)
    return {
        "free_shipping_threshold": None if terms is None else terms.free_shipping_threshold,
        "currency": "CNY" if terms is None else terms.currency_id,
        "updated_at": None if terms is None else terms.updated_at,
        "covered_methods": [method.code for method in free_shipping_methods()],
    }


@extend_schema(tags=["seller"])
class SellerFreeShippingView(SellerAPIMixin, APIView):
    """The acting merchant's free-shipping threshold."""

    capabilities = {"*": Capability.VIEW, "put": Capability.MANAGE_CATALOG,
                    "patch": Capability.MANAGE_CATALOG}  # fmt: skip

    @extend_schema(responses=FreeShippingSerializer)
    def get(self, request):
        return Response(FreeShippingSerializer(_terms_data(self.merchant)).data)

    @extend_schema(request=FreeShippingSerializer, responses=FreeShippingSerializer)
    def put(self, request):
        return self._save(request, partial=False)

    @extend_schema(request=FreeShippingSerializer, responses=FreeShippingSerializer)
    def patch(self, request):
        return self._save(request, partial=True)

    def _save(self, request, *, partial: bool):
        serializer = FreeShippingSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        current = _terms_data(self.merchant)
        data = {**current, **serializer.validated_data}
        free_shipping_threshold_set(
            merchant=self.merchant,
            amount=data["free_shipping_threshold"],
            currency=data["currency"],
            by=request.user,
        )
        return Response(FreeShippingSerializer(_terms_data(self.merchant)).data)


urlpatterns = [
    path("seller/shipping/", SellerFreeShippingView.as_view(), name="seller-shipping"),
]
