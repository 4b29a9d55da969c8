"""Seller API for listings: ``/api/v1/seller/products/`` and its sub-resources.

Scoped with ``SellerAPIMixin`` (another merchant's product is a 404); reads need ``view``,
every write needs ``manage_catalog``. Views validate the shape and call
``catalog.services``; the rules and their messages live there. Money travels as strings.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from catalog.models import (
    TRADE_MODE_FLAGS,
    Brand,
    Category,
    PostalTaxCategory,
    Product,
    ProductImage,
    ProductRecordStatus,
    ProductRevisionImage,
    flags_for,
)
from catalog.selectors import moderation as moderation_selectors
from catalog.selectors import seller as selectors
from catalog.services import moderation, products, records
from catalog.services.products import EXCISE_CATEGORIES, SkuInput
from marketplace.api import fields as api_fields
from marketplace.api.errors import api_validation_error, error_response
from marketplace.api.parsers import JSONParser
from marketplace.api.schema import ErrorSerializer
from marketplace.api.seller import SellerAPIMixin
from marketplace.clearance import ClearanceMode
from marketplace.clearance_labels import sku_mode_choices
from marketplace.digits import ID_PATTERN
from marketplace.transitions import IllegalTransition
from merchants.roles import Capability

# The flag fields are one "trade_modes" list here, so errors about them are reported there.
SKU_ALIASES = dict.fromkeys(TRADE_MODE_FLAGS.values(), "trade_modes")
ATTRIBUTES_HELP = (
    f"The variant's attributes, name → value (e.g. size → M): at most "
    f"{products.MAX_ATTRIBUTES} pairs, names at most {products.MAX_ATTRIBUTE_NAME_LENGTH} "
    f"characters without = : ; or line breaks, values at most "
    f"{products.MAX_ATTRIBUTE_VALUE_LENGTH} characters without ; or line breaks."
)


# --- serializers ---------------------------------------------------------------------------


class SellerTierSerializer(serializers.Serializer):
    min_quantity = api_fields.IntegerField(min_value=2)
    unit_price = api_fields.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class SellerSkuSerializer(serializers.Serializer):
    """A variant with its price and cross-border data. ``code`` identifies it per merchant."""

    id = api_fields.IntegerField(read_only=True)
    code = serializers.CharField(max_length=64)
    barcode = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    attributes_en = serializers.DictField(
        # lengths, count and characters are the service's rule (same message at every door)
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text=ATTRIBUTES_HELP + " In English; may be empty (shoppers then see Chinese).",
    )
    attributes_zh_hans = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text=ATTRIBUTES_HELP + " In Chinese; may be empty (shoppers then see English).",
    )
    price = api_fields.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    min_order_quantity = api_fields.IntegerField(min_value=1, default=1)
    low_stock_threshold = api_fields.IntegerField(min_value=0, default=5)
    is_active = serializers.BooleanField(default=True)
    hs_code = serializers.CharField(max_length=16, help_text="6, 8 or 10 digits.")
    # no max_length: the service's rule answers "New Zealand" as it answers "XX"
    origin_country = serializers.CharField(help_text="ISO 3166-1 alpha-2")
    net_weight_kg = api_fields.DecimalField(max_digits=10, decimal_places=3, min_value=0)
    gross_weight_kg = api_fields.DecimalField(max_digits=10, decimal_places=3, min_value=0)
    length_cm = api_fields.DecimalField(max_digits=8, decimal_places=1, min_value=0, default=0)
    width_cm = api_fields.DecimalField(max_digits=8, decimal_places=1, min_value=0, default=0)
    height_cm = api_fields.DecimalField(max_digits=8, decimal_places=1, min_value=0, default=0)
    customs_unit = serializers.CharField(max_length=3, default="011")
    trade_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=sku_mode_choices()),
        default=lambda: [ClearanceMode.DIRECT.value],
    )
    postal_tax_category = serializers.ChoiceField(choices=PostalTaxCategory.choices, default="20")
    excise_category = serializers.ChoiceField(
        choices=EXCISE_CATEGORIES, default="", allow_blank=True
    )
    # Set by customs' answer (or an operator) only: POST .../skus/{id}/product-record/ submits.
    product_record_number = serializers.CharField(
        read_only=True, help_text="Customs' record number once recorded (read-only)."
    )
    product_record_status = serializers.ChoiceField(
        choices=ProductRecordStatus.choices,
        read_only=True,
        help_text="none, submitted, recorded or rejected; set by customs' answer (read-only).",
    )
    product_record_reason = serializers.CharField(
        read_only=True,
        help_text="Customs' reason for the last rejection, or an operator's (read-only).",
    )
    tiers = SellerTierSerializer(many=True, required=False)
    awaiting_review = serializers.SerializerMethodField()
    proposed_hs_code = serializers.SerializerMethodField()

    def _changes(self) -> dict:
        return self.context.get("revision_changes") or {}

    def get_awaiting_review(self, sku) -> bool:
        return sku.pk in (self._changes().get("new_skus") or [])

    def get_proposed_hs_code(self, sku) -> str | None:
        return (self._changes().get("hs_codes") or {}).get(str(sku.pk))

    def to_representation(self, sku):
        data = super().to_representation(sku)
        data["tiers"] = SellerTierSerializer(sku.tiers.all(), many=True).data
        return data

    def to_input(self, data: dict) -> SkuInput:
        values = {k: v for k, v in data.items() if k not in {"trade_modes", "tiers"}}
        flags = flags_for(data.get("trade_modes") or [])
        tiers = [(t["min_quantity"], t["unit_price"]) for t in data.get("tiers") or []]
        return SkuInput(**values, **flags, tiers=tiers)


class SellerImageSerializer(serializers.Serializer):
    id = api_fields.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    alt = serializers.CharField(read_only=True)
    position = api_fields.IntegerField(read_only=True)
    pending_review = serializers.SerializerMethodField(
        help_text="True for an image proposed for a live product, shown once approved."
    )
    removal_pending = serializers.SerializerMethodField()

    def _url(self, field) -> str | None:
        if not field:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(field.url) if request else field.url

    def get_url(self, image) -> str | None:
        return self._url(image.image)

    def get_thumbnail_url(self, image) -> str | None:
        return self._url(image.thumbnail)

    def get_pending_review(self, image) -> bool:
        return isinstance(image, ProductRevisionImage)

    def get_removal_pending(self, image) -> bool:
        removing = (self.context.get("revision_changes") or {}).get("remove_images") or []
        return isinstance(image, ProductImage) and image.pk in removing


class SellerImageUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="JPEG, PNG, WebP or GIF, up to 5 MB.")
    alt = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SellerHistorySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    action = serializers.CharField()
    reason = serializers.CharField()
    about_edits = serializers.BooleanField()
    by = serializers.SerializerMethodField()

    def get_by(self, entry) -> str | None:
        if entry.actor is None:
            return None
        return "operator" if entry.actor.is_staff else entry.actor.email


class SellerRevisionSerializer(serializers.Serializer):
    id = api_fields.IntegerField()
    status = serializers.CharField()
    changes = serializers.JSONField(
        help_text="Proposed values: fields (names, descriptions, brand), hs_codes by SKU id, "
        "new_skus (ids), remove_images (ids)."
    )
    images = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(SellerImageSerializer(many=True))
    def get_images(self, revision) -> list[dict]:
        return SellerImageSerializer(revision.images.all(), many=True, context=self.context).data


class SellerSubmissionSerializer(serializers.Serializer):
    status = serializers.CharField()
    transition = serializers.CharField(allow_null=True, help_text="submit, resubmit or null")
    ready = serializers.BooleanField()
    problems = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="What to fix first, by field.",
    )


class SellerProductListSerializer(serializers.ModelSerializer):
    category = serializers.PrimaryKeyRelatedField(read_only=True)
    brand = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    sku_count = api_fields.IntegerField(read_only=True)
    price_min = api_fields.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    price_max = api_fields.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    has_pending_revision = serializers.BooleanField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "slug",
            "status",
            "name_en",
            "name_zh_hans",
            "category",
            "brand",
            "listing_currency",
            "sku_count",
            "price_min",
            "price_max",
            "has_pending_revision",
            "published_at",
            "updated_at",
        ]
        read_only_fields = fields


class SellerProductSerializer(serializers.Serializer):
    """A product with its variants, images, pending revision and review history.

    Writes: names, descriptions (HTML, sanitised), category, brand, listing currency,
    minimum order quantity and ``skus`` (upserted by ``code``; SKUs not listed are left as
    they are). On a live product, edits to names, descriptions, brand and HS codes and new
    SKUs wait in ``pending_revision`` until an operator approves them.
    """

    id = api_fields.IntegerField(read_only=True)
    slug = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_zh_hans = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    description_zh_hans = serializers.CharField(required=False, allow_blank=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(is_active=True))
    brand = serializers.PrimaryKeyRelatedField(
        queryset=Brand.objects.filter(is_active=True), allow_null=True, required=False
    )
    listing_currency = serializers.CharField(max_length=3, default="CNY")
    min_order_quantity = api_fields.IntegerField(min_value=1, default=1)
    skus = SellerSkuSerializer(many=True, required=False)
    images = serializers.SerializerMethodField()
    pending_revision = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def _revision(self, product):
        return moderation_selectors.pending_of(product)

    def _child_context(self, product) -> dict:
        revision = self._revision(product)
        return {**self.context, "revision_changes": revision.changes if revision else {}}

    def to_representation(self, product):
        data = super().to_representation(product)
        data["skus"] = SellerSkuSerializer(
            product.skus.all(), many=True, context=self._child_context(product)
        ).data
        return data

    @extend_schema_field(SellerImageSerializer(many=True))
    def get_images(self, product) -> list[dict]:
        return SellerImageSerializer(
            product.images.all(), many=True, context=self._child_context(product)
        ).data

    @extend_schema_field(SellerRevisionSerializer(allow_null=True))
    def get_pending_revision(self, product) -> dict | None:
        revision = self._revision(product)
        if revision is None:
            return None
        return SellerRevisionSerializer(revision, context=self.context).data

    @extend_schema_field(SellerHistorySerializer(many=True))
    def get_history(self, product) -> list[dict]:
        return SellerHistorySerializer(
            moderation_selectors.product_history(product), many=True
        ).data


# --- views ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List the merchant's products",
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=Product.Status.values,
                description="Only products in this moderation status.",
            )
        ],
    ),
    retrieve=extend_schema(summary="A product with variants, images, pending edits and history"),
    create=extend_schema(
        summary="Create a draft product (with its variants)",
        request=SellerProductSerializer,
        responses={201: SellerProductSerializer},
    ),
    update=extend_schema(
        summary="Edit a product (edits to a live product's key fields wait for review)",
        request=SellerProductSerializer,
        responses=SellerProductSerializer,
    ),
    partial_update=extend_schema(
        summary="Edit some fields of a product",
        request=SellerProductSerializer,
        responses=SellerProductSerializer,
    ),
)
@extend_schema(tags=["seller catalog"])
class SellerProductViewSet(
    SellerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The current merchant's products. Another merchant's product is a 404."""

    serializer_class = SellerProductSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def capability_for(self, request) -> str:
        # Reads need "view"; every write needs "manage_catalog".
        if request.method in permissions.SAFE_METHODS:
            return Capability.VIEW
        return Capability.MANAGE_CATALOG

    def queryset_for_merchant(self, merchant):
        if self.action == "list":
            status_filter = self.request.query_params.get("status")
            if status_filter not in Product.Status.values:
                status_filter = None
            return selectors.seller_products(merchant, status=status_filter)
        return selectors.seller_product_detail_queryset(merchant)

    def get_serializer_class(self):
        if self.action == "list":
            return SellerProductListSerializer
        return SellerProductSerializer

    def _detail(self, pk, *, code=status.HTTP_200_OK) -> Response:
        product = selectors.seller_product_detail(self.merchant, pk)
        return Response(
            SellerProductSerializer(product, context=self.get_serializer_context()).data, code
        )

    def _upsert_skus(self, product, skus: list[dict]) -> None:
        errors: dict[int, dict] = {}
        sku_serializer = SellerSkuSerializer()
        for index, sku in enumerate(skus):
            try:
                products.sku_upsert(
                    product=product,
                    data=sku_serializer.to_input(sku),
                    by=self.request.user,
                    replace_tiers="tiers" in sku,
                )
            except DjangoValidationError as error:
                errors[index] = api_validation_error(error, SKU_ALIASES).detail
        if errors:
            raise ValidationError({"skus": errors})

    def create(self, request, *args, **kwargs):
        serializer = SellerProductSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        skus = data.pop("skus", [])
        with transaction.atomic():
            data.setdefault("name_en", "")
            data.setdefault("name_zh_hans", "")
            product = products.product_create(merchant=self.merchant, by=request.user, **data)
            self._upsert_skus(product, skus)
        return self._detail(product.pk, code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        product = self.get_object()
        serializer = SellerProductSerializer(
            product, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        skus = data.pop("skus", None)
        with transaction.atomic():
            products.product_update(product=product, by=request.user, **data)
            if skus:
                self._upsert_skus(product, skus)
        return self._detail(product.pk)

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    @extend_schema(
        methods=["GET"],
        summary="Whether the product can be submitted for review, and what blocks it",
        responses=SellerSubmissionSerializer,
    )
    @extend_schema(
        methods=["POST"],
        summary="Submit (or resubmit) the product for review (409 from a state that cannot)",
        request=None,
        responses={
            200: SellerProductSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Not from this status"),
        },
    )
    @action(detail=True, methods=["get", "post"])
    def submit(self, request, pk=None):
        product = self.get_object()
        if request.method == "GET":
            problems = moderation.submission_problems(product)
            transition = moderation.submit_transition(product)
            return Response(
                {
                    "status": product.status,
                    "transition": transition,
                    "ready": transition is not None and not problems,
                    "problems": problems,
                }
            )
        try:
            moderation.product_submit(product=product, by=request.user)
        except IllegalTransition:
            return error_response(
                "illegal_transition",
                _("A product that is %(status)s cannot be submitted for review.")
                % {"status": product.get_status_display()},
                status.HTTP_409_CONFLICT,
            )
        return self._detail(product.pk)

    @extend_schema(
        methods=["GET"],
        summary="The product's images (live and proposed)",
        responses=SellerImageSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Upload an image (proposed for review when the product is live)",
        request={"multipart/form-data": SellerImageUploadSerializer},
        responses={201: SellerImageSerializer},
    )
    # The images of one product are few (MAX_IMAGES): one page, not paginated.
    @action(detail=True, methods=["get", "post"], url_path="images", pagination_class=None)
    def images(self, request, pk=None):
        product = self.get_object()
        revision = moderation_selectors.pending_of(product)
        context = {
            **self.get_serializer_context(),
            "revision_changes": revision.changes if revision else {},
        }
        if request.method == "GET":
            rows = list(product.images.all()) + (list(revision.images.all()) if revision else [])
            return Response(SellerImageSerializer(rows, many=True, context=context).data)
        upload = SellerImageUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        image = products.product_image_add(
            product=product,
            by=request.user,
            upload=upload.validated_data["image"],
            alt=upload.validated_data["alt"],
        )
        return Response(SellerImageSerializer(image, context=context).data, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="One live image of the product",
        responses=SellerImageSerializer,
        parameters=[OpenApiParameter("image_pk", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Remove an image (204; 202 when the removal waits for review)",
        responses={204: None, 202: SellerImageSerializer},
        parameters=[OpenApiParameter("image_pk", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["get", "delete"], url_path=rf"images/(?P<image_pk>{ID_PATTERN})")
    def image(self, request, pk=None, image_pk=None):
        product = self.get_object()
        image = get_object_or_404(product.images.all(), pk=image_pk)
        if request.method == "GET":
            return Response(
                SellerImageSerializer(image, context=self.get_serializer_context()).data
            )
        revision = products.product_image_delete(product=product, by=request.user, image=image)
        if revision is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        context = {**self.get_serializer_context(), "revision_changes": revision.changes}
        return Response(
            SellerImageSerializer(image, context=context).data, status.HTTP_202_ACCEPTED
        )

    @extend_schema(
        methods=["POST"],
        summary="Submit a variant's customs product record to the gateway (202; 409 unless "
        "its record is none or rejected)",
        request=None,
        responses={
            202: SellerSkuSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Not from this record status"),
        },
        parameters=[OpenApiParameter("sku_pk", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"skus/(?P<sku_pk>{ID_PATTERN})/product-record",
    )
    def product_record(self, request, pk=None, sku_pk=None):
        product = self.get_object()
        sku = get_object_or_404(product.skus.all(), pk=sku_pk)
        try:
            records.product_record_submit(sku=sku, by=request.user)
        except IllegalTransition:
            return error_response(
                "illegal_transition",
                _("This variant's product record is %(status)s: there is nothing to submit.")
                % {"status": sku.get_product_record_status_display()},
                status.HTTP_409_CONFLICT,
            )
        sku.refresh_from_db()
        return Response(
            SellerSkuSerializer(sku, context=self.get_serializer_context()).data,
            status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        methods=["GET"],
        summary="The edits waiting for review (404 when there are none)",
        responses=SellerRevisionSerializer,
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Withdraw the edits waiting for review",
        responses={204: None},
    )
    @action(detail=True, methods=["get", "delete"], url_path="revision")
    def revision(self, request, pk=None):
        product = self.get_object()
        revision = moderation_selectors.pending_of(product)
        if revision is None:
            return error_response(
                "not_found", _("No edits are waiting for review."), status.HTTP_404_NOT_FOUND
            )
        if request.method == "GET":
            return Response(
                SellerRevisionSerializer(revision, context=self.get_serializer_context()).data
            )
        moderation.revision_withdraw(revision=revision, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
