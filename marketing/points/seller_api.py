"""Seller API: the merchant's points rates (``/api/v1/seller/points-rates/``).

GET for every team member: the acting merchant's own rows, the platform's default and the
most a merchant may set; PUT (``manage_catalog``) sets one row (``category``: null for all
the merchant's goods) through ``points_rate_set``, the portal page's rule. The rows are the
acting merchant's own (the ``X-Merchant`` header picks which one): no other merchant's rates
can be named.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Category
from marketplace.api import fields as api_fields
from marketplace.api.seller import SellerAPIMixin
from merchants.roles import Capability

from .models import PointsRate
from .services import points_rate_delete, points_rate_set, points_rates_of


class PointsRateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True),
        allow_null=True,
        help_text="The category of the merchant's goods; null: all its goods.",
    )
    category_name = serializers.CharField(read_only=True, source="category.name", default="")
    points_per_yuan = api_fields.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, help_text="Points per yuan paid."
    )
    set_by = serializers.CharField(read_only=True, help_text="operator or merchant")
    updated_at = serializers.DateTimeField(read_only=True)


class PointsRatesSerializer(serializers.Serializer):
    default_points_per_yuan = serializers.CharField()
    merchant_max_points_per_yuan = serializers.CharField()
    rates = PointsRateSerializer(many=True)


def _body(merchant) -> dict:
    return {
        "default_points_per_yuan": str(settings.POINTS_EARN_PER_YUAN),
        "merchant_max_points_per_yuan": str(settings.POINTS_MERCHANT_MAX_PER_YUAN),
        "rates": PointsRateSerializer(points_rates_of(merchant), many=True).data,
    }


@extend_schema(tags=["seller"])
class SellerPointsRatesView(SellerAPIMixin, APIView):
    """The acting merchant's points rates."""

    capabilities = {"*": Capability.VIEW, "put": Capability.MANAGE_CATALOG}

    @extend_schema(responses=PointsRatesSerializer)
    def get(self, request):
        return Response(_body(self.merchant))

    @extend_schema(request=PointsRateSerializer, responses=PointsRatesSerializer)
    def put(self, request):
        serializer = PointsRateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        points_rate_set(
            merchant=self.merchant,
            category=serializer.validated_data["category"],
            points_per_yuan=serializer.validated_data["points_per_yuan"],
            by=request.user,
        )
        return Response(_body(self.merchant))


@extend_schema(tags=["seller"])
class SellerPointsRateView(SellerAPIMixin, APIView):
    """DELETE (``manage_catalog``) one of the acting merchant's points rates (another
    merchant's is a 404): the next most specific rate applies (``points_rate``); the answer is
    the merchant's rates as the list gives them. There is no GET here: the list
    (``/api/v1/seller/points-rates/``) shows every rate with its id. (A GET at this path also
    stopped Swagger UI rendering /api/docs/ after its second tag, with no error:
    tests/e2e/test_csp.py.)"""

    capabilities = {"*": Capability.VIEW, "delete": Capability.MANAGE_CATALOG}

    @extend_schema(operation_id="v1_seller_points_rate_destroy", responses=PointsRatesSerializer)
    def delete(self, request, pk):
        rate = get_object_or_404(PointsRate.objects.filter(merchant=self.merchant), pk=pk)
        points_rate_delete(rate=rate, by=request.user)
        return Response(_body(self.merchant))


urlpatterns = [
    path("seller/points-rates/", SellerPointsRatesView.as_view(), name="seller-points-rates"),
    path(
        "seller/points-rates/<int:pk>/",
        SellerPointsRateView.as_view(),
        name="seller-points-rate",
    ),
]
