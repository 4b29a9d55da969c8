"""Seller API for flash sales: ``/api/v1/seller/flash-sales/`` (list, schedule),
``…/<id>/`` (read, change before the start: PUT), ``…/<id>/cancel/``.

Scoped with ``SellerAPIMixin`` (another merchant's sale is a 404); reads need ``view``,
writes ``manage_catalog``. The rules and their codes are ``marketing.flash.services``'
(``flash_sale_schedule``, ``flash_sale_edit``, ``flash_sale_cancel``), the same as the
portal's. Money travels as strings, in the SKU's listing currency.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from marketplace.api import fields as api_fields
from marketplace.api.seller import SellerAPIMixin
from merchants.roles import Capability

from ..flash import selectors
from ..flash.services import flash_sale_cancel, flash_sale_edit, flash_sale_schedule
from ..models import FlashSale

STATES = ["upcoming", "live", "sold_out", "ended", "cancelled"]


class FlashSaleItemInSerializer(serializers.Serializer):
    sku = api_fields.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The SKU's id.")
    flash_price = api_fields.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text="Above zero and below the SKU's price, in its listing currency.",
    )
    quantity = api_fields.IntegerField(
        min_value=1,
        max_value=1_000_000,
        help_text="Units on offer: at most what the SKU has available to sell now.",
    )


class FlashSaleInSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="After `starts_at`, and not already past.")
    per_shopper_limit = api_fields.IntegerField(
        min_value=1, max_value=1_000_000, help_text="Units of each SKU one shopper may hold."
    )
    items = FlashSaleItemInSerializer(
        many=True, help_text="One or more of the merchant's SKUs, each once."
    )


class FlashSaleItemOutSerializer(serializers.Serializer):
    id = api_fields.IntegerField(read_only=True)
    sku = api_fields.IntegerField(read_only=True, source="sku_id")
    sku_code = serializers.CharField(read_only=True, source="sku.code")
    flash_price = serializers.CharField(read_only=True)
    price = serializers.CharField(read_only=True, source="sku.price")
    currency = serializers.CharField(read_only=True, source="sku.product.listing_currency")
    quantity = api_fields.IntegerField(read_only=True)


class FlashSaleOutSerializer(serializers.Serializer):
    id = api_fields.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    per_shopper_limit = api_fields.IntegerField(read_only=True)
    state = serializers.ChoiceField(
        choices=STATES,
        read_only=True,
        help_text="`sold_out`: on now and the gate has no unit of any SKU left.",
    )
    items = FlashSaleItemOutSerializer(many=True, read_only=True, source="items.all")


class FlashSaleCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def _out(sales: list[FlashSale]) -> list[dict]:
    states = selectors.flash_sale_states(sales)
    rows = FlashSaleOutSerializer(sales, many=True).data
    for row in rows:
        row["state"] = states[row["id"]]
    return rows


@extend_schema_view(
    list=extend_schema(summary="The merchant's flash sales, newest first, with their state"),
    retrieve=extend_schema(summary="One of the merchant's flash sales"),
    create=extend_schema(
        summary="Schedule a flash sale",
        request=FlashSaleInSerializer,
        responses={201: FlashSaleOutSerializer},
    ),
    update=extend_schema(
        summary="Change a flash sale before it starts (its SKUs are replaced)",
        request=FlashSaleInSerializer,
        responses=FlashSaleOutSerializer,
    ),
)
@extend_schema(tags=["seller flash sales"])
class SellerFlashSaleViewSet(
    SellerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The current merchant's flash sales. Another merchant's sale is a 404."""

    serializer_class = FlashSaleOutSerializer
    http_method_names = ["get", "post", "put", "head", "options"]

    def capability_for(self, request) -> str:
        if request.method in permissions.SAFE_METHODS:
            return Capability.VIEW
        return Capability.MANAGE_CATALOG

    def queryset_for_merchant(self, merchant):
        return selectors.merchant_flash_sales(merchant)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(_out(page))

    def retrieve(self, request, *args, **kwargs):
        return Response(_out([self.get_object()])[0])

    def _detail(self, pk, code=status.HTTP_200_OK) -> Response:
        sale = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(_out([sale])[0], status=code)

    def create(self, request, *args, **kwargs):
        data = FlashSaleInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sale = flash_sale_schedule(merchant=self.merchant, by=request.user, **data.validated_data)
        return self._detail(sale.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        sale = self.get_object()
        data = FlashSaleInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flash_sale_edit(sale=sale, by=request.user, now=timezone.now(), **data.validated_data)
        return self._detail(sale.pk)

    @extend_schema(
        summary="Cancel a flash sale (nobody more is admitted)",
        request=FlashSaleCancelSerializer,
        responses=FlashSaleOutSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        sale = self.get_object()
        data = FlashSaleCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flash_sale_cancel(sale=sale, by=request.user, reason=data.validated_data["reason"])
        return self._detail(sale.pk)
