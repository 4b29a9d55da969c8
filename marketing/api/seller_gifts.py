"""Seller API for gifts with purchase (满赠): ``/api/v1/seller/gift-promotions/`` (list,
create), ``…/<id>/`` (read, change: PUT), ``…/<id>/end/``.

Scoped with ``SellerAPIMixin`` (another merchant's promotion is a 404); reads need ``view``,
writes ``manage_catalog``. The rules and their codes are ``marketing.gifts.services``' (the
portal's too). Money travels as strings, in the gift's listing currency.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from marketplace.api import fields as api_fields
from marketplace.api.seller import SellerAPIMixin
from merchants.roles import Capability

from ..gifts.services import (
    gift_promotion_create,
    gift_promotion_edit,
    gift_promotion_end,
    gift_promotion_state,
    merchant_gift_promotions,
)

STATES = ["upcoming", "live", "ended", "stopped"]


class GiftPromotionInSerializer(serializers.Serializer):
    title_zh_hans = serializers.CharField(max_length=120)
    title_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    gift_sku = api_fields.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="One of the merchant's own SKUs (its id)."
    )
    quantity = api_fields.IntegerField(min_value=1, max_value=99, default=1)
    threshold = api_fields.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="The minimum spend on the order's goods of the merchant, after discounts.",
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="After `starts_at`, and not already past.")


class GiftPromotionOutSerializer(serializers.Serializer):
    id = api_fields.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    title_zh_hans = serializers.CharField(read_only=True)
    title_en = serializers.CharField(read_only=True)
    gift_sku = api_fields.IntegerField(read_only=True, source="gift_sku_id")
    gift_sku_code = serializers.CharField(read_only=True, source="gift_sku.code")
    quantity = api_fields.IntegerField(read_only=True)
    threshold = serializers.CharField(read_only=True)
    currency = serializers.CharField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    platform_percent = api_fields.IntegerField(
        read_only=True, help_text="The platform's share of the gift's cost (set by operators)."
    )
    state = serializers.ChoiceField(choices=STATES, read_only=True)


def _out(gifts) -> list[dict]:
    rows = GiftPromotionOutSerializer(gifts, many=True).data
    for gift, row in zip(gifts, rows, strict=True):
        row["state"] = gift_promotion_state(gift)
    return rows


def _fields(data: dict) -> dict:
    return dict(data) | {"title": data["title_zh_hans"]}


@extend_schema_view(
    list=extend_schema(summary="The merchant's gifts with purchase, newest start first"),
    retrieve=extend_schema(summary="One of the merchant's gifts with purchase"),
    create=extend_schema(
        summary="Create a gift with purchase",
        request=GiftPromotionInSerializer,
        responses={201: GiftPromotionOutSerializer},
    ),
    update=extend_schema(
        summary="Change a gift with purchase still running or to come",
        request=GiftPromotionInSerializer,
        responses=GiftPromotionOutSerializer,
    ),
)
@extend_schema(tags=["seller gifts with purchase"])
class SellerGiftPromotionViewSet(
    SellerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The current merchant's gifts with purchase. Another merchant's is a 404."""

    serializer_class = GiftPromotionOutSerializer
    http_method_names = ["get", "post", "put", "head", "options"]

    def capability_for(self, request) -> str:
        if request.method in permissions.SAFE_METHODS:
            return Capability.VIEW
        return Capability.MANAGE_CATALOG

    def queryset_for_merchant(self, merchant):
        return merchant_gift_promotions(merchant)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(_out(page))

    def retrieve(self, request, *args, **kwargs):
        return Response(_out([self.get_object()])[0])

    def _detail(self, pk, code=status.HTTP_200_OK) -> Response:
        gift = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(_out([gift])[0], status=code)

    def create(self, request, *args, **kwargs):
        data = GiftPromotionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        gift = gift_promotion_create(
            merchant=self.merchant, by=request.user, **_fields(data.validated_data)
        )
        return self._detail(gift.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        gift = self.get_object()
        data = GiftPromotionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        gift_promotion_edit(gift=gift, by=request.user, **_fields(data.validated_data))
        return self._detail(gift.pk)

    @extend_schema(
        summary="End a gift with purchase now (orders placed keep their gifts)",
        request=None,
        responses=GiftPromotionOutSerializer,
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        gift_promotion_end(gift=self.get_object(), by=request.user)
        return self._detail(pk)
