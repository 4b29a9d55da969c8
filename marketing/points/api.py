"""/api/v1/points/: the signed-in shopper's balance and latest ledger rows."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import fields as api_fields

from .selectors import points_summary


class EntrySerializer(serializers.Serializer):
    kind = serializers.CharField()
    points = api_fields.IntegerField()
    reference = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class PointsSerializer(serializers.Serializer):
    balance = api_fields.IntegerField()
    value = serializers.CharField()
    currency = serializers.CharField()
    max_share_percent = api_fields.IntegerField()
    expire_days = api_fields.IntegerField()
    history = EntrySerializer(many=True)


class PointsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=PointsSerializer, tags=["account"], operation_id="points_retrieve")
    def get(self, request):
        s = points_summary(request.user.pk)
        return Response(
            {
                "balance": s.balance,
                "value": str(s.value),
                "currency": s.currency,
                "max_share_percent": s.max_share_percent,
                "expire_days": s.expire_days,
                "history": EntrySerializer(s.history, many=True).data,
            }
        )


urlpatterns = [path("points/", PointsView.as_view(), name="api-points")]
