"""Seller API for inventory: stock rows and their adjustments, low stock, CSV import jobs
and exports (warehouses are ``logistics.api``). Every view is scoped to the current merchant (``SellerAPIMixin``);
reads need ``view``, writes ``manage_catalog``. Views validate and call services."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import SKU, ImportJob, StockAdjustment
from catalog.selectors import stock as selectors
from catalog.services import imports
from catalog.services.stock import MANUAL_REASON_CHOICES, MAX_UNITS, stock_adjust
from logistics import selectors as warehouse_selectors
from logistics.models import Warehouse
from marketplace.api import fields as api_fields
from marketplace.api.parsers import JSONParser
from marketplace.api.schema import ErrorBodySerializer
from marketplace.api.seller import SellerAPIMixin
from marketplace.digits import ID_PATTERN, ascii_int
from merchants.roles import Capability

# --- serializers -------------------------------------------------------------------------------


class StockSerializer(serializers.Serializer):
    id = api_fields.IntegerField()
    sku = serializers.CharField(source="sku.code")
    product = serializers.CharField(source="sku.product.name")
    warehouse = serializers.CharField(source="warehouse.code")
    warehouse_name = serializers.CharField(source="warehouse.name")
    warehouse_kind = serializers.CharField(source="warehouse.kind")
    on_hand = api_fields.IntegerField()
    reserved = api_fields.IntegerField()
    available = api_fields.IntegerField()
    sku_available = api_fields.IntegerField(help_text="Units available across all warehouses.")
    low_stock_threshold = api_fields.IntegerField(source="sku.low_stock_threshold")
    is_low = serializers.BooleanField()


class AdjustmentSerializer(serializers.ModelSerializer):
    actor = serializers.EmailField(
        source="actor.email", default=None, allow_null=True, help_text="null: the platform"
    )
    sku = serializers.CharField(source="stock.sku.code")
    warehouse = serializers.CharField(source="stock.warehouse.code")

    class Meta:
        model = StockAdjustment
        fields = [
            "id",
            "stock",
            "sku",
            "warehouse",
            "reason",
            "on_hand_delta",
            "reserved_delta",
            "on_hand_after",
            "reserved_after",
            "note",
            "actor",
            "created_at",
        ]
        read_only_fields = fields


class ImportFailedBody(ErrorBodySerializer):
    job = api_fields.IntegerField(required=False, help_text="import_failed only")
    rows = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="import_failed only"
    )


class AdjustInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=MANUAL_REASON_CHOICES)
    quantity = api_fields.IntegerField(
        min_value=0,
        max_value=MAX_UNITS,
        help_text="receipt/return/damage: units; correction: the new counted quantity on hand.",
    )
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class AdjustByCodeInput(AdjustInput):
    sku_code = serializers.CharField(max_length=64)
    warehouse_code = serializers.CharField(max_length=40)


class LowStockSerializer(serializers.Serializer):
    sku = serializers.CharField(source="code")
    product = serializers.CharField(source="product.name")
    available = api_fields.IntegerField(source="total_available")
    low_stock_threshold = api_fields.IntegerField()


class ImportJobSerializer(serializers.ModelSerializer):
    percent = api_fields.IntegerField(read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "filename",
            "total_rows",
            "processed_rows",
            "percent",
            "summary",
            "errors",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportUpload(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportJob.Kind.choices)
    file = serializers.FileField(allow_empty_file=True)


# --- views -------------------------------------------------------------------------------------


class ReadOrManage:
    """Safe methods need ``view``; anything that writes needs ``manage_catalog``."""

    def capability_for(self, request) -> str:
        return Capability.VIEW if request.method in SAFE_METHODS else Capability.MANAGE_CATALOG


def _adjust(view, *, sku, warehouse, data) -> Response:
    adjustment = stock_adjust(
        merchant=view.merchant,
        sku=sku,
        warehouse=warehouse,
        reason=data["reason"],
        quantity=data["quantity"],
        actor=view.request.user,
        note=data.get("note", ""),
    )
    if adjustment is None:
        return Response({"changed": False}, status=status.HTTP_200_OK)
    adjustment = selectors.stock_adjustments_for_merchant(view.merchant).get(pk=adjustment.pk)
    return Response(AdjustmentSerializer(adjustment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["seller stock"])
class SellerStockViewSet(
    ReadOrManage,
    SellerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The merchant's stock: one row per SKU per warehouse, with available and low-stock."""

    serializer_class = StockSerializer
    lookup_value_regex = ID_PATTERN

    def queryset_for_merchant(self, merchant):
        params = self.request.query_params
        warehouse = params.get("warehouse_id", "")
        return selectors.stock_rows(
            merchant=merchant,
            warehouse=ascii_int(warehouse),
            search=params.get("search", ""),
            kind=params.get("kind", ""),
            low_only=params.get("low") in ("1", "true", "yes"),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("warehouse_id", OpenApiTypes.INT),
            OpenApiParameter("search", OpenApiTypes.STR),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Warehouse.Kind.values),
            OpenApiParameter("low", OpenApiTypes.BOOL),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        methods=["GET"], responses=AdjustmentSerializer(many=True), summary="History of a row"
    )
    @extend_schema(
        methods=["POST"],
        request=AdjustInput,
        responses={201: AdjustmentSerializer},
        summary="Adjust this stock row",
    )
    @action(detail=True, methods=["get", "post"])
    def adjustments(self, request, pk=None):
        stock = self.get_object()
        if request.method == "POST":
            payload = AdjustInput(data=request.data)
            payload.is_valid(raise_exception=True)
            return _adjust(
                self, sku=stock.sku, warehouse=stock.warehouse, data=payload.validated_data
            )
        rows = selectors.stock_adjustments_for_merchant(self.merchant).filter(stock=stock)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AdjustmentSerializer(page, many=True).data)

    @extend_schema(
        request=AdjustByCodeInput,
        responses={201: AdjustmentSerializer},
        summary="Adjust stock by SKU and warehouse code (creates the row on first receipt)",
    )
    @action(detail=False, methods=["post"])
    def adjust(self, request):
        payload = AdjustByCodeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        sku = SKU.objects.for_merchant(self.merchant).filter(code=data["sku_code"].strip()).first()
        warehouse = warehouse_selectors.warehouse_by_code(self.merchant, data["warehouse_code"])
        errors = {}
        if sku is None:
            errors["sku_code"] = [
                ErrorDetail(gettext("You have no SKU with this code."), "unknown_sku")
            ]
        if warehouse is None:
            errors["warehouse_code"] = [
                ErrorDetail(gettext("Unknown warehouse."), "unknown_warehouse")
            ]
        if errors:
            raise serializers.ValidationError(errors)
        return _adjust(self, sku=sku, warehouse=warehouse, data=data)


@extend_schema(tags=["seller stock"])
class SellerLowStockView(SellerAPIMixin, ListAPIView):
    """SKUs on sale whose units available across warehouses are at or below the threshold."""

    serializer_class = LowStockSerializer

    def queryset_for_merchant(self, merchant):
        return selectors.low_stock_skus(merchant=merchant)


@extend_schema(tags=["seller stock"])
class SellerImportJobViewSet(
    ReadOrManage,
    SellerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """CSV imports. POST a file (multipart: ``kind`` products|stock, ``file``): small files
    are imported at once (201, or 400 with the row-by-row report and nothing imported);
    large ones are queued (202) — poll the job until ``status`` is succeeded or failed."""

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    lookup_value_regex = ID_PATTERN

    def queryset_for_merchant(self, merchant):
        return selectors.import_jobs_for_merchant(merchant)

    @extend_schema(
        request={"multipart/form-data": ImportUpload},
        responses={
            201: ImportJobSerializer,
            202: ImportJobSerializer,
            400: inline_serializer(
                "ImportFailed",
                {
                    "error": ImportFailedBody(
                        help_text="code import_failed: the file was read and refused, with "
                        "the job and its rows; any other code: the upload itself was refused "
                        "(fields, errors)."
                    )
                },
            ),
        },
    )
    def create(self, request):
        upload = ImportUpload(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        job = imports.import_job_create(
            merchant=self.merchant,
            kind=upload.validated_data["kind"],
            data=file.read(settings.CATALOG_IMPORT_MAX_BYTES + 1),
            filename=file.name,
            actor=request.user,
        )
        if job.status == ImportJob.Status.FAILED:
            return Response(
                {
                    "error": {
                        "status": 400,
                        "code": "import_failed",
                        "message": gettext(
                            "Nothing was imported. Correct the rows listed and upload again."
                        ),
                        "job": job.pk,
                        "rows": job.errors,
                    }
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        code = (
            status.HTTP_201_CREATED
            if job.status == ImportJob.Status.SUCCEEDED
            else status.HTTP_202_ACCEPTED
        )
        return Response(ImportJobSerializer(job).data, status=code)


@extend_schema(
    tags=["seller stock"],
    responses={(200, "text/csv"): OpenApiTypes.STR},
    summary="Download products or stock as CSV (the import's columns)",
)
class SellerExportView(SellerAPIMixin, APIView):
    def get(self, request, kind: str):
        if kind not in ImportJob.Kind.values:
            raise Http404
        response = StreamingHttpResponse(
            imports.export_csv_lines(kind, self.merchant), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{self.merchant.slug}-{kind}.csv"'
        return response
