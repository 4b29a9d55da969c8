from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.generics import RetrieveAPIView
from rest_framework.response import Response

from marketplace.api.seller import SellerAPIMixin
from merchants import selectors, services
from merchants.models import Membership
from merchants.roles import Capability

from .serializers import MembershipSerializer, MerchantSerializer


@extend_schema(tags=["seller"])
class SellerMerchantView(SellerAPIMixin, RetrieveAPIView):
    """The merchant this request acts for, and the caller's role in it."""

    serializer_class = MerchantSerializer

    def retrieve(self, request, *args, **kwargs):
        data = MerchantSerializer(self.merchant).data
        data["role"] = self.membership.role
        return Response(data)


@extend_schema(tags=["seller"])
class SellerTeamViewSet(
    SellerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The current merchant's staff. Owners may change roles."""

    model = Membership
    serializer_class = MembershipSerializer
    capabilities = {
        "*": Capability.VIEW,
        "update": Capability.MANAGE_TEAM,
        "partial_update": Capability.MANAGE_TEAM,
    }

    def queryset_for_merchant(self, merchant):
        return selectors.team_for_merchant(merchant)

    def perform_update(self, serializer):
        services.membership_change_role(
            actor=self.membership,
            membership=serializer.instance,
            role=serializer.validated_data["role"],
        )
        serializer.instance.refresh_from_db()
