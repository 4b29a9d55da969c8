"""Seller API for warehouses (``/api/v1/seller/warehouses/``): the warehouses the merchant
may use (the platform's and its own); merchants register and edit their own overseas and
domestic ones. Reads need ``view``, writes ``manage_catalog``. Views validate and call
``logistics.services``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import SAFE_METHODS

from logistics import selectors
from logistics.models import Warehouse
from logistics.services import warehouse_create, warehouse_update
from marketplace.api.seller import SellerAPIMixin
from marketplace.digits import ID_PATTERN
from merchants.roles import Capability


class WarehouseSerializer(serializers.ModelSerializer):
    is_platform = serializers.BooleanField(read_only=True)

    class Meta:
        model = Warehouse
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "name_zh_hans",
            "kind",
            "country",
            "customs_area_code",
            "address",
            "is_active",
            "is_platform",
        ]
        read_only_fields = ["id", "name", "customs_area_code", "is_platform"]
        # The service validates (uniqueness, allowed kinds): one set of rules and messages.
        extra_kwargs = {"code": {"validators": []}}


@extend_schema(tags=["seller stock"])
class SellerWarehouseViewSet(
    SellerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Warehouses the merchant may use (the platform's and its own). Merchants register and
    edit their own overseas and domestic warehouses; bonded ones are the operator's."""

    serializer_class = WarehouseSerializer
    lookup_value_regex = ID_PATTERN
    capabilities = {
        "list": Capability.VIEW,
        "retrieve": Capability.VIEW,
        "metadata": Capability.VIEW,
        "*": Capability.MANAGE_CATALOG,
    }

    def queryset_for_merchant(self, merchant):
        if self.request.method in SAFE_METHODS:
            return selectors.warehouses_usable_by(merchant)
        return Warehouse.objects.for_merchant(merchant)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = warehouse_create(
            merchant=self.merchant,
            by=self.request.user,
            code=data["code"],
            kind=data["kind"],
            country=data["country"],
            name_en=data.get("name_en") or "",
            name_zh_hans=data.get("name_zh_hans") or "",
            address=data.get("address", ""),
            is_active=data.get("is_active", True),
        )

    def perform_update(self, serializer):
        # Only what differs: resending the unchanged code or kind is not an attempt to edit them.
        current = serializer.instance
        changes = {k: v for k, v in serializer.validated_data.items() if getattr(current, k) != v}
        serializer.instance = warehouse_update(
            warehouse=serializer.instance, by=self.request.user, **changes
        )
