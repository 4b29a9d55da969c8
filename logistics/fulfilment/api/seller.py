"""Seller API for shipments and parcel exceptions (docs/API.md, "Shipments"):

- ``GET /api/v1/seller/shipments/``, ``GET …/<id>/``: the merchant's shipments with their
  parcels (contents, sizes, status, tracking events);
- ``POST /api/v1/seller/shipments/``: pack an order (``{"order": number, "parcels": […]}``;
  no ``parcels``: one parcel with everything) through ``shipment_create``, the one door to
  packing (``manage_orders``);
- ``GET /api/v1/seller/parcel-exceptions/``: the merchant's stuck, late or lost parcels and
  what operators did about them.

Another merchant's shipment, order or exception is a 404. Views validate the shape and call
the service; its refusals reach the client through the one error handler.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from marketplace.api import fields as api_fields
from marketplace.api.seller import SellerAPIMixin
from merchants.roles import Capability
from orders.models import Order
from orders.selectors import order_for_merchant

from ..models import Parcel, ParcelException, Shipment, TrackingEvent
from ..seller_selectors import (
    exceptions_for_merchant,
    shipment_for_merchant,
    shipments_for_merchant,
)
from ..services import ParcelSpec, shipment_create
from ..services.shipments import WAYBILL_NEW, WAYBILL_ORDER


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["status", "raw_status", "text", "location", "occurred_at"]


class ParcelSerializer(serializers.ModelSerializer):
    carrier = serializers.CharField(source="carrier.code")
    lines = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    replaced_by = serializers.CharField(
        source="replaced_by.waybill_number", default=None, allow_null=True
    )

    class Meta:
        model = Parcel
        fields = [
            "id",
            "waybill_number",
            "carrier",
            "route",
            "weight_kg",
            "length_cm",
            "width_cm",
            "height_cm",
            "status",
            "status_at",
            "shipped_at",
            "delivered_at",
            "booked_at",
            "replaced_by",
            "lines",
            "events",
        ]

    def get_lines(self, parcel) -> list[dict]:
        return [
            {"line": pl.line_id, "sku": pl.line.sku_code, "quantity": pl.quantity}
            for pl in parcel.lines.all()
        ]

    def get_events(self, parcel) -> list[dict]:
        return EventSerializer(parcel.events.all(), many=True).data


class ShipmentSerializer(serializers.ModelSerializer):
    order = serializers.CharField(source="order.number")
    warehouse = serializers.CharField(source="warehouse.code")
    parcels = ParcelSerializer(many=True)

    class Meta:
        model = Shipment
        fields = ["id", "order", "warehouse", "created_at", "parcels"]


class ParcelLineInput(serializers.Serializer):
    line = api_fields.IntegerField()
    quantity = api_fields.IntegerField(min_value=1)


class ParcelInput(serializers.Serializer):
    lines = ParcelLineInput(many=True)
    weight_kg = api_fields.DecimalField(max_digits=8, decimal_places=3, required=False)
    length_cm = api_fields.DecimalField(max_digits=6, decimal_places=1, required=False)
    width_cm = api_fields.DecimalField(max_digits=6, decimal_places=1, required=False)
    height_cm = api_fields.DecimalField(max_digits=6, decimal_places=1, required=False)
    waybill = serializers.ChoiceField(choices=[WAYBILL_ORDER, WAYBILL_NEW], default=WAYBILL_ORDER)


class ShipmentInput(serializers.Serializer):
    order = serializers.CharField(max_length=20, help_text="The order number.")
    parcels = ParcelInput(many=True, required=False, help_text="Empty: one parcel of everything.")

    def specs(self) -> list[ParcelSpec] | None:
        parcels = self.validated_data.get("parcels")
        if not parcels:
            return None
        specs = []
        for p in parcels:
            lines: dict[int, int] = {}
            for item in p["lines"]:
                lines[item["line"]] = lines.get(item["line"], 0) + item["quantity"]
            specs.append(
                ParcelSpec(
                    lines=lines,
                    weight_kg=p.get("weight_kg"),
                    length_cm=p.get("length_cm"),
                    width_cm=p.get("width_cm"),
                    height_cm=p.get("height_cm"),
                    waybill=p["waybill"],
                )
            )
        return specs


class ExceptionSerializer(serializers.ModelSerializer):
    order = serializers.CharField(source="order.number")
    waybill_number = serializers.CharField(source="parcel.waybill_number")
    carrier = serializers.CharField(source="parcel.carrier.code")
    replacement = serializers.CharField(
        source="replacement.waybill_number", default=None, allow_null=True
    )
    events = serializers.SerializerMethodField()

    class Meta:
        model = ParcelException
        fields = [
            "id",
            "order",
            "waybill_number",
            "carrier",
            "reason",
            "status",
            "detail",
            "replacement",
            "opened_at",
            "closed_at",
            "events",
        ]

    def get_events(self, exc) -> list[dict]:
        return [
            {"action": e.transition, "note": e.reason, "at": e.created_at.isoformat()}
            for e in exc.events.all()
        ]


class SellerShipmentsView(SellerAPIMixin, generics.GenericAPIView):
    capabilities = {"get": Capability.VIEW, "*": Capability.MANAGE_ORDERS}
    serializer_class = ShipmentSerializer

    @extend_schema(
        operation_id="v1_seller_shipments_list",
        tags=["seller shipments"],
        responses={200: ShipmentSerializer(many=True)},
    )
    def get(self, request):
        """The merchant's shipments, newest first, with parcels and their tracking."""
        page = self.paginate_queryset(shipments_for_merchant(self.merchant))
        return self.get_paginated_response(ShipmentSerializer(page, many=True).data)

    @extend_schema(
        operation_id="v1_seller_shipments_create",
        tags=["seller shipments"],
        request=ShipmentInput,
        responses={
            201: ShipmentSerializer,
            404: OpenApiResponse(description="No such paid order of the merchant"),
        },
    )
    def post(self, request):
        """Pack an order into parcels (`parcel_lines_mismatch`, `waybill_order_once`,
        `not_cleared`, `order_not_packable`…); the carrier is told after commit."""
        data = ShipmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            order = order_for_merchant(self.merchant, data.validated_data["order"])
        except Order.DoesNotExist:
            raise Http404 from None
        shipment = shipment_create(order=order, by=request.user, parcels=data.specs())
        shipment = shipments_for_merchant(self.merchant).get(pk=shipment.pk)
        return Response(ShipmentSerializer(shipment).data, status=status.HTTP_201_CREATED)


class SellerShipmentView(SellerAPIMixin, generics.GenericAPIView):
    capabilities = {"*": Capability.VIEW}
    serializer_class = ShipmentSerializer

    @extend_schema(
        operation_id="v1_seller_shipments_retrieve",
        tags=["seller shipments"],
        responses={200: ShipmentSerializer},
    )
    def get(self, request, pk):
        """One of the merchant's shipments."""
        try:
            shipment = shipment_for_merchant(self.merchant, pk)
        except Shipment.DoesNotExist:
            raise Http404 from None
        return Response(ShipmentSerializer(shipment).data)


class SellerParcelExceptionsView(SellerAPIMixin, generics.GenericAPIView):
    capabilities = {"*": Capability.VIEW}
    serializer_class = ExceptionSerializer

    @extend_schema(
        operation_id="v1_seller_parcel_exceptions_list",
        tags=["seller shipments"],
        responses={200: ExceptionSerializer(many=True)},
    )
    def get(self, request):
        """The merchant's parcel exceptions (stuck, late, lost) and what was done."""
        page = self.paginate_queryset(exceptions_for_merchant(self.merchant))
        return self.get_paginated_response(ExceptionSerializer(page, many=True).data)
