"""Orders API for a mobile app and the seller API (docs/API.md, "Orders").

- ``/api/v1/orders/``: the signed-in shopper's own orders (list, one order, cancel, ask for a
  refund). Anyone else's order number is a 404, like a number that does not exist.
- ``/api/v1/seller/orders/``: the current merchant's paid orders (``SellerAPIMixin``; reads
  need ``view``, actions ``manage_orders``), another merchant's is a 404.

Views validate input and call ``orders.services``; the services check capabilities and
rules, and their refusals reach the client through the one error handler.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from marketplace.api import fields as api_fields
from marketplace.api.seller import SellerAPIMixin
from merchants.roles import Capability
from orders.models import Order, RefundRequest
from orders.order_forms import OrderFilterForm
from orders.selectors import (
    order_detail,
    order_for_merchant,
    order_for_shopper,
    orders_for_merchant,
    orders_for_shopper,
)
from orders.services import (
    order_accept,
    order_cancel_by_shopper,
    order_note_set,
    order_refund_by_team,
    refund_request_approve,
    refund_request_create,
    refund_request_decline,
)

from .order_presenters import order_detail_json, order_summary, refund_request_json

ORDER_LIST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="A page of orders (`count`, `next`, `previous`, `results`): each with "
    "`number`, `status`, `placed_at`, `merchant`, `clearance_mode`, `total`, `refunded`, "
    "`items`.",
)
ORDER = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="One order: lines, `goods`, `discount`, `shipping` (method, carrier, price, "
    "delivery window, address), `duties` line by line, `payment`, `refund_requests`, "
    "`events` (the history) and `actions` (what the caller may do now). The seller's view "
    "adds each line's `allocations`, `accepted_at` and the team's `note`.",
)
REFUND_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT, description="The refund request: `id`, `status`, `amount`, `reason`."
)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, allow_blank=False)


class RefundRequestSerializer(ReasonSerializer):
    amount = api_fields.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, allow_blank=True, required=False)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, allow_blank=True)


# --- the shopper's ------------------------------------------------------------------------


class ShopperOrderMixin:
    permission_classes = [permissions.IsAuthenticated]

    def get_order(self) -> Order:
        try:
            return order_for_shopper(self.request.user, self.kwargs["number"])
        except Order.DoesNotExist:
            raise Http404 from None


class OrderListView(ShopperOrderMixin, generics.GenericAPIView):
    @extend_schema(
        operation_id="v1_orders_list",
        tags=["orders"],
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, description="Only this status.")],
        responses={200: ORDER_LIST},
    )
    def get(self, request):
        """The shopper's orders, newest first."""
        queryset = orders_for_shopper(request.user)
        wanted = request.query_params.get("status")
        if wanted in Order.Status.values:
            queryset = queryset.filter(status=wanted)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response([order_summary(o) for o in page])


class OrderDetailView(ShopperOrderMixin, generics.GenericAPIView):
    @extend_schema(tags=["orders"], responses={200: ORDER})
    def get(self, request, number):
        """One of the shopper's orders, with its history, duties, shipping and payment."""
        return Response(order_detail_json(order_detail(self.get_order())))


class OrderRefundRequestView(ShopperOrderMixin, generics.GenericAPIView):
    serializer_class = RefundRequestSerializer

    @extend_schema(
        tags=["orders"], request=RefundRequestSerializer, responses={201: REFUND_REQUEST}
    )
    def post(self, request, number):
        """Ask for a refund of a packed, shipped or delivered order (`amount` empty: all
        that is not refunded yet). The seller or an operator answers; one open request per
        order (`refund_request_open`)."""
        order = self.get_order()
        data = RefundRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = refund_request_create(
            order=order,
            by=request.user,
            reason=data.validated_data["reason"],
            amount=data.validated_data.get("amount"),
        )
        return Response(refund_request_json(made, order.currency), status.HTTP_201_CREATED)


class OrderCancelView(ShopperOrderMixin, generics.GenericAPIView):
    serializer_class = CancelSerializer

    @extend_schema(tags=["orders"], request=CancelSerializer, responses={200: ORDER})
    def post(self, request, number):
        """Cancel the order until the seller packs it (`order_not_cancellable` after: ask for
        a refund); a paid order's money goes back to the card. Cancelling an unpaid order
        cancels its whole checkout (one payment pays all its orders)."""
        order = self.get_order()
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order_cancel_by_shopper(
            order=order, by=request.user, reason=data.validated_data.get("reason", "")
        )
        return Response(order_detail_json(order_detail(self.get_order())))


# --- the seller's -------------------------------------------------------------------------

SELLER_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, description="Only this status."),
    OpenApiParameter("mode", OpenApiTypes.STR, description="Only this clearance mode."),
    OpenApiParameter("placed_from", OpenApiTypes.DATE, description="Placed on or after."),
    OpenApiParameter("placed_to", OpenApiTypes.DATE, description="Placed on or before."),
    OpenApiParameter("q", OpenApiTypes.STR, description="The order or checkout number (or part)."),
]


class SellerOrderMixin(SellerAPIMixin):
    capabilities = {"get": Capability.VIEW, "*": Capability.MANAGE_ORDERS}

    def get_order(self) -> Order:
        try:
            return order_for_merchant(self.merchant, self.kwargs["number"])
        except Order.DoesNotExist:
            raise Http404 from None

    def detail(self, order: Order) -> Response:
        return Response(order_detail_json(order_detail(order), for_seller=True))


class SellerOrderListView(SellerOrderMixin, generics.GenericAPIView):
    @extend_schema(
        operation_id="v1_seller_orders_list",
        tags=["seller orders"],
        parameters=SELLER_FILTERS,
        responses={200: ORDER_LIST},
    )
    def get(self, request):
        """The merchant's paid orders, newest first, filtered."""
        form = OrderFilterForm(request.query_params)
        page = self.paginate_queryset(orders_for_merchant(self.merchant, form.filters()))
        return self.get_paginated_response([order_summary(o) for o in page])


class SellerOrderDetailView(SellerOrderMixin, generics.GenericAPIView):
    @extend_schema(tags=["seller orders"], responses={200: ORDER})
    def get(self, request, number):
        """One of the merchant's orders: lines with allocations, duties, history, note."""
        return self.detail(self.get_order())


class SellerOrderAcceptView(SellerOrderMixin, generics.GenericAPIView):
    @extend_schema(tags=["seller orders"], request=None, responses={200: ORDER})
    def post(self, request, number):
        """Accept the paid order (`order_not_acceptable` once packed, cancelled…)."""
        order = self.get_order()
        order_accept(order=order, by=request.user)
        return self.detail(order)


class SellerOrderNoteView(SellerOrderMixin, generics.GenericAPIView):
    serializer_class = NoteSerializer

    @extend_schema(tags=["seller orders"], request=NoteSerializer, responses={200: ORDER})
    def put(self, request, number):
        """Set the team's note (empty clears it); the shopper never sees it."""
        order = self.get_order()
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order_note_set(order=order, by=request.user, note=data.validated_data["note"])
        return self.detail(order)


class SellerRefundRequestDeclineView(SellerOrderMixin, generics.GenericAPIView):
    serializer_class = ReasonSerializer

    @extend_schema(tags=["seller orders"], request=ReasonSerializer, responses={200: ORDER})
    def post(self, request, number, pk):
        """Decline the shopper's refund request, saying why."""
        order = self.get_order()
        try:
            refund = RefundRequest.objects.get(order=order, pk=pk)
        except RefundRequest.DoesNotExist:
            raise Http404 from None
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refund_request_decline(
            request=refund, by=request.user, reason=data.validated_data["reason"]
        )
        return self.detail(order)


class SellerOrderRefundView(SellerOrderMixin, generics.GenericAPIView):
    serializer_class = RefundRequestSerializer

    @extend_schema(tags=["seller orders"], request=RefundRequestSerializer, responses={200: ORDER})
    def post(self, request, number):
        """Refund `amount` of the paid order (empty: everything not refunded yet; before
        shipping that cancels it), with a reason the shopper reads."""
        order = self.get_order()
        data = RefundRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order_refund_by_team(
            order=order,
            by=request.user,
            amount=data.validated_data.get("amount"),
            reason=data.validated_data["reason"],
        )
        return self.detail(self.get_order())


class SellerRefundRequestApproveView(SellerOrderMixin, generics.GenericAPIView):
    @extend_schema(tags=["seller orders"], request=None, responses={200: ORDER})
    def post(self, request, number, pk):
        """Grant the shopper's refund request: the amount asked is refunded."""
        order = self.get_order()
        try:
            refund = RefundRequest.objects.get(order=order, pk=pk)
        except RefundRequest.DoesNotExist:
            raise Http404 from None
        refund_request_approve(request=refund, by=request.user)
        return self.detail(self.get_order())
