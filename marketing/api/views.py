"""``/api/v1/flash/sales/``, ``/api/v1/flash/items/<id>/admissions/``,
``/api/v1/flash/admissions/``, ``/api/v1/coupons/``, ``/api/v1/coupons/<id>/claim/``,
``/api/v1/coupons/claim/`` (by code) and ``/api/v1/coupons/mine/``."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from marketplace.api import fields as api_fields

from ..coupons import selectors as coupon_selectors
from ..coupons.services import coupon_claim, coupon_claim_by_code
from ..flash import selectors as flash_selectors
from ..flash.services import flash_admission_cancel, flash_admit, flash_sold_out, sold_out_error
from ..models import CouponClaim, FlashAdmission, FlashSale

SALES = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="`results`: sales on now or within two days, each with `items` (SKU, product, "
    "`flash_price`, `price`, `quantity`, `left` from the gate: null when it cannot tell).",
)
ADMISSION = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="The admission: `id`, `item`, `quantity`, `status`, `expires_at`. Check out "
    "before it expires to pay the flash price.",
)
COUPONS = OpenApiResponse(OpenApiTypes.OBJECT, description="`results`: coupons.")
CLAIM = OpenApiResponse(OpenApiTypes.OBJECT, description="The claimed coupon.")


def _money(amount, currency: str) -> dict:
    return {"amount": str(amount), "currency": currency}


def sale_json(sale: FlashSale, left: dict[int, int | None], now) -> dict:
    return {
        "id": sale.pk,
        "title": sale.title,
        "merchant": {"slug": sale.merchant.slug, "name": sale.merchant.name},
        "starts_at": sale.starts_at.isoformat(),
        "ends_at": sale.ends_at.isoformat(),
        "live": sale.is_live(now),
        "per_shopper_limit": sale.per_shopper_limit,
        "items": [
            {
                "id": item.pk,
                "sku": item.sku.code,
                "product": {"id": item.sku.product_id, "name": item.sku.product.name},
                "flash_price": _money(item.flash_price, item.sku.product.listing_currency),
                "price": _money(item.sku.price, item.sku.product.listing_currency),
                "quantity": item.quantity,
                "left": left.get(item.pk),
            }
            for item in sale.items.all()
        ],
    }


def admission_json(admission: FlashAdmission) -> dict:
    return {
        "id": admission.pk,
        "item": admission.item_id,
        "quantity": admission.quantity,
        "status": admission.status,
        "expires_at": admission.expires_at.isoformat(),
        "checkout": admission.checkout_number or None,
    }


def coupon_json(coupon) -> dict:
    return {
        "id": coupon.pk,
        "title": coupon.title,
        "kind": coupon.kind,
        "amount_off": str(coupon.amount),
        "percent_off": str(coupon.percent),
        "cap": str(coupon.cap) if coupon.cap else None,
        "tiers": coupon.tiers,
        "threshold": str(coupon.threshold),
        "currency": coupon.currency,
        "merchant": coupon.merchant.slug if coupon.merchant_id else None,
        "starts_at": coupon.starts_at.isoformat(),
        "ends_at": coupon.ends_at.isoformat(),
    }


def claim_json(claim: CouponClaim) -> dict:
    return {"id": claim.pk, "status": claim.status, "coupon": coupon_json(claim.coupon)}


# --- flash sales ----------------------------------------------------------------------------


class FlashSaleListView(generics.GenericAPIView):
    permission_classes = [permissions.AllowAny]
    pagination_class = None

    @extend_schema(tags=["flash sales"], responses={200: SALES})
    def get(self, request):
        """Flash sales on now and those starting within two days, soonest first, with the
        units left of each item (from the gate)."""
        now = timezone.now()
        sales = flash_selectors.storefront_flash_sales(now=now)
        left = flash_selectors.flash_counters([i.pk for s in sales for i in s.items.all()])
        return Response({"results": [sale_json(sale, left, now) for sale in sales]})


class AdmissionSerializer(serializers.Serializer):
    quantity = api_fields.IntegerField(min_value=1, required=False, default=1)


class FlashAdmitView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AdmissionSerializer

    @extend_schema(tags=["flash sales"], request=AdmissionSerializer, responses={201: ADMISSION})
    def post(self, request, pk: int):
        """ "Grab it": through the gate for `quantity` units (default 1) at the flash price.
        Refusals (400): `flash_sale_not_live`, `flash_over_limit`, `flash_sold_out`,
        `flash_gate_unavailable` (the sale is paused: try again shortly)."""
        if flash_sold_out(pk):  # the rush after the last unit: one Redis read (as the page)
            raise sold_out_error()
        terms = flash_selectors.flash_item_terms(pk)
        if terms is None:
            raise Http404
        data = AdmissionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        admission = flash_admit(
            user=request.user, item=terms, quantity=data.validated_data["quantity"]
        )
        return Response(admission_json(admission), status=status.HTTP_201_CREATED)


class FlashAdmissionListView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    @extend_schema(tags=["flash sales"], responses={200: ADMISSION})
    def get(self, request):
        """The shopper's admissions still held (admitted, not yet expired)."""
        admissions = flash_selectors.shopper_admissions(request.user)
        return Response({"results": [admission_json(a) for a in admissions]})


class FlashAdmissionCancelView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["flash sales"], request=None, responses={204: None})
    def post(self, request, pk: int):
        """Give up an admission: its units go back to other shoppers."""
        admission = get_object_or_404(
            FlashAdmission.objects.filter(user=request.user, status=FlashAdmission.Status.ADMITTED),
            pk=pk,
        )
        flash_admission_cancel(admission=admission, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- coupons ----------------------------------------------------------------------------------


class CouponListView(generics.GenericAPIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(tags=["coupons"], responses={200: COUPONS})
    def get(self, request):
        """The coupon centre: coupons anyone may claim now, soonest ending first."""
        page = self.paginate_queryset(coupon_selectors.coupon_centre())
        return self.get_paginated_response([coupon_json(c) for c in page])


class CouponClaimView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["coupons"], request=None, responses={201: CLAIM})
    def post(self, request, pk: int):
        """Claim a coupon of the coupon centre (once per shopper; the issue limit holds under
        any concurrency)."""
        coupon = get_object_or_404(coupon_selectors.coupon_centre(), pk=pk)
        claim = coupon_claim(coupon=coupon, user=request.user)
        return Response(claim_json(claim), status=status.HTTP_201_CREATED)


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)


class CouponClaimByCodeView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CodeSerializer

    @extend_schema(
        operation_id="v1_coupons_claim_by_code",
        tags=["coupons"],
        request=CodeSerializer,
        responses={201: CLAIM},
    )
    def post(self, request):
        """Claim a coupon by the code the shopper was given (list-only coupons included)."""
        data = CodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = coupon_claim_by_code(code=data.validated_data["code"], user=request.user)
        return Response(claim_json(claim), status=status.HTTP_201_CREATED)


class MyCouponsView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["coupons"], responses={200: COUPONS})
    def get(self, request):
        """The shopper's claimed coupons still usable (checkout takes their ids as
        `coupons`)."""
        page = self.paginate_queryset(coupon_selectors.shopper_coupons(request.user))
        return self.get_paginated_response([claim_json(c) for c in page])
