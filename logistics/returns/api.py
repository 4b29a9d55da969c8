"""The returns API: ``/api/v1/orders/<n>/returns/`` (the shopper's),
``/api/v1/seller/returns/…`` (the merchant's: list, approve, decline, receive),
``/api/v1/stores/<slug>/return-policy/`` (anyone: a merchant's window and policy) and
``/api/v1/seller/return-policy/`` (the merchant edits it). Thin views over
``logistics.returns.services``; another merchant's return is a 404."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from marketplace.api import fields as api_fields
from marketplace.api.seller import SellerAPIMixin
from merchants.models import Merchant
from merchants.roles import Capability
from orders.models import Order
from orders.selectors import order_for_shopper

from . import services
from .models import MAX_WINDOW_DAYS, ReturnLine, ReturnRequest
from .selectors import customs_state


def return_json(request: ReturnRequest) -> dict:
    return {
        "id": request.pk,
        "order": request.order.number,
        "status": request.status,
        "reason": request.reason,
        "decline_reason": request.decline_reason,
        "waybill_number": request.waybill_number,
        "instructions": request.instructions,
        "refunded": str(request.refunded) if request.refunded is not None else None,
        "currency": request.order.currency,
        "created_at": request.created_at.isoformat(),
        "customs_return": customs_state(request),
        "quota_restored": request.quota_restored_at is not None,
        "lines": [
            {
                "id": line.pk,
                "order_line": line.order_line_id,
                "sku": line.order_line.sku_code,
                "quantity": line.quantity,
                "outcome": line.outcome,
            }
            for line in request.lines.all()
        ],
    }


def _returns():
    return ReturnRequest.objects.select_related("order", "customs_declaration").prefetch_related(
        "lines__order_line"
    )


class LineSerializer(serializers.Serializer):
    line = api_fields.IntegerField()
    quantity = api_fields.IntegerField(min_value=1)


class ReturnCreateSerializer(serializers.Serializer):
    lines = LineSerializer(many=True, allow_empty=False, max_length=200)
    reason = serializers.CharField(max_length=2000)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OutcomeSerializer(serializers.Serializer):
    line = api_fields.IntegerField()
    outcome = serializers.ChoiceField(choices=[c for c in ReturnLine.Outcome.values if c])


class ReceiveSerializer(serializers.Serializer):
    lines = OutcomeSerializer(many=True, allow_empty=False, max_length=200)
    refund = api_fields.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0
    )


class PolicySerializer(serializers.Serializer):
    window_days = api_fields.IntegerField(min_value=0, max_value=MAX_WINDOW_DAYS)
    policy = serializers.CharField(max_length=4000, required=False, allow_blank=True)


def policy_json(policy) -> dict:
    return {
        "merchant": policy.merchant.slug,
        "window_days": policy.window_days,
        "policy": policy.policy,
        "customs_return_days": services.CUSTOMS_RETURN_DAYS,
    }


class OrderReturnsView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReturnCreateSerializer

    def get_order(self) -> Order:
        try:
            return order_for_shopper(self.request.user, self.kwargs["number"])
        except Order.DoesNotExist:
            raise Http404 from None

    @extend_schema(operation_id="v1_orders_returns_list", tags=["orders"], responses={200: dict})
    def get(self, request, number):
        """The shopper's returns of the order, newest first."""
        order = self.get_order()
        return Response([return_json(r) for r in _returns().filter(order=order)])

    @extend_schema(tags=["orders"], request=ReturnCreateSerializer, responses={201: dict})
    def post(self, request, number):
        """Ask to return lines of the delivered order within the merchant's return window
        (`return_window_closed` after it, `return_not_delivered` before delivery)."""
        order = self.get_order()
        data = ReturnCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.return_request_create(
            order=order,
            by=request.user,
            reason=data.validated_data["reason"],
            lines={row["line"]: row["quantity"] for row in data.validated_data["lines"]},
        )
        return Response(return_json(_returns().get(pk=created.pk)), status=status.HTTP_201_CREATED)


class SellerReturnMixin(SellerAPIMixin):
    capabilities = {"get": Capability.VIEW, "*": Capability.MANAGE_ORDERS}

    def get_return(self) -> ReturnRequest:
        try:
            return _returns().for_merchant(self.merchant).get(pk=self.kwargs["pk"])
        except ReturnRequest.DoesNotExist:
            raise Http404 from None

    def answer(self, request: ReturnRequest) -> Response:
        return Response(return_json(_returns().get(pk=request.pk)))


class SellerReturnListView(SellerReturnMixin, generics.GenericAPIView):
    @extend_schema(
        operation_id="v1_seller_returns_list", tags=["seller returns"], responses={200: dict}
    )
    def get(self, request):
        """The merchant's return requests, newest first."""
        page = self.paginate_queryset(_returns().for_merchant(self.merchant))
        return self.get_paginated_response([return_json(r) for r in page])


class SellerReturnDetailView(SellerReturnMixin, generics.GenericAPIView):
    @extend_schema(tags=["seller returns"], responses={200: dict})
    def get(self, request, pk):
        return self.answer(self.get_return())


class SellerReturnApproveView(SellerReturnMixin, generics.GenericAPIView):
    @extend_schema(tags=["seller returns"], request=None, responses={200: dict})
    def post(self, request, pk):
        """Approve the return: a return waybill number and where to send the goods."""
        return self.answer(services.return_approve(request=self.get_return(), by=request.user))


class SellerReturnDeclineView(SellerReturnMixin, generics.GenericAPIView):
    serializer_class = DeclineSerializer

    @extend_schema(tags=["seller returns"], request=DeclineSerializer, responses={200: dict})
    def post(self, request, pk):
        """Decline the return, saying why."""
        found = self.get_return()
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.return_decline(
            request=found, by=request.user, reason=data.validated_data["reason"]
        )
        return self.answer(done)


class SellerReturnReceiveView(SellerReturnMixin, generics.GenericAPIView):
    serializer_class = ReceiveSerializer

    @extend_schema(tags=["seller returns"], request=ReceiveSerializer, responses={200: dict})
    def post(self, request, pk):
        """The goods are back: restock or write off each line; the lines are refunded."""
        found = self.get_return()
        data = ReceiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.return_receive(
            request=found,
            by=request.user,
            outcomes={row["line"]: row["outcome"] for row in data.validated_data["lines"]},
            refund=data.validated_data.get("refund"),
        )
        return self.answer(done)


class StoreReturnPolicyView(generics.GenericAPIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(operation_id="v1_stores_return_policy", tags=["returns"], responses={200: dict})
    def get(self, request, slug):
        """A merchant's return window (days after delivery; 0: no returns), policy text and
        the customs window of cross-border imports (days after release)."""
        merchant = Merchant.objects.filter(slug=slug, status=Merchant.Status.APPROVED).first()
        if merchant is None:
            raise Http404
        return Response(policy_json(services.return_policy_of(merchant)))


class SellerReturnPolicyView(SellerAPIMixin, generics.GenericAPIView):
    capabilities = {"get": Capability.VIEW, "*": Capability.MANAGE_ORDERS}
    serializer_class = PolicySerializer

    @extend_schema(
        operation_id="v1_seller_return_policy", tags=["seller returns"], responses={200: dict}
    )
    def get(self, request):
        """The merchant's return policy."""
        return Response(policy_json(services.return_policy_of(self.merchant)))

    @extend_schema(tags=["seller returns"], request=PolicySerializer, responses={200: dict})
    def put(self, request):
        """Set the return window (0–90 days) and the policy text shoppers read."""
        data = PolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.return_policy_set(
            merchant=self.merchant,
            by=request.user,
            days=data.validated_data["window_days"],
            policy=data.validated_data.get("policy"),
        )
        return Response(policy_json(saved))


urlpatterns = [
    path(
        "stores/<slug:slug>/return-policy/",
        StoreReturnPolicyView.as_view(),
        name="api-store-return-policy",
    ),
    path(
        "seller/return-policy/", SellerReturnPolicyView.as_view(), name="api-seller-return-policy"
    ),
    path("orders/<str:number>/returns/", OrderReturnsView.as_view(), name="api-order-returns"),
    path("seller/returns/", SellerReturnListView.as_view(), name="api-seller-returns"),
    path("seller/returns/<int:pk>/", SellerReturnDetailView.as_view(), name="api-seller-return"),
    path(
        "seller/returns/<int:pk>/approve/",
        SellerReturnApproveView.as_view(),
        name="api-seller-return-approve",
    ),
    path(
        "seller/returns/<int:pk>/decline/",
        SellerReturnDeclineView.as_view(),
        name="api-seller-return-decline",
    ),
    path(
        "seller/returns/<int:pk>/receive/",
        SellerReturnReceiveView.as_view(),
        name="api-seller-return-receive",
    ),
]
