"""Seller API of the merchants app: the current merchant, its history, team, invitations,
commission and payout details. Every view acts for the current merchant only
(``SellerAPIMixin``); the capabilities come from ``merchants/roles.py``."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.seller import SellerAPIMixin
from merchants import selectors, services
from merchants.roles import Capability

from .serializers import (
    CommissionSerializer,
    InvitationSerializer,
    MembershipSerializer,
    MerchantEventSerializer,
    MerchantSerializer,
    PayoutReadSerializer,
    PayoutSerializer,
)


@extend_schema(tags=["seller"])
class SellerMerchantView(SellerAPIMixin, RetrieveAPIView):
    """The merchant this request acts for, and the caller's role in it."""

    serializer_class = MerchantSerializer

    def retrieve(self, request, *args, **kwargs):
        data = MerchantSerializer(self.merchant).data
        data["role"] = self.membership.role
        return Response(data)


@extend_schema(tags=["seller"])
class SellerMerchantEventsView(SellerAPIMixin, generics.ListAPIView):
    """The merchant's history: status changes (with the operator's reason) and audited
    changes to payout details, commission and the team, oldest first."""

    serializer_class = MerchantEventSerializer

    def queryset_for_merchant(self, merchant):
        return selectors.merchant_events(merchant)


@extend_schema(tags=["seller"])
class SellerTeamViewSet(
    SellerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The current merchant's staff. Owners change roles and deactivate or reactivate
    members (the last owner stays)."""

    serializer_class = MembershipSerializer
    capabilities = {
        "*": Capability.VIEW,
        "update": Capability.MANAGE_TEAM,
        "partial_update": Capability.MANAGE_TEAM,
        "deactivate": Capability.MANAGE_TEAM,
        "reactivate": Capability.MANAGE_TEAM,
    }

    def queryset_for_merchant(self, merchant):
        return selectors.team_for_merchant(merchant)

    def partial_update(self, request, *args, **kwargs):
        # The role is the one thing a PATCH changes, so it must be there: a PATCH without
        # it is refused like a PUT without it (400, ``required``), not a server error.
        return self.update(request, *args, **kwargs)

    def perform_update(self, serializer):
        services.membership_change_role(
            by=self.request.user,
            membership=serializer.instance,
            role=serializer.validated_data["role"],
        )
        serializer.instance.refresh_from_db()

    @extend_schema(request=None, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """Take the member off the team (they can no longer act for the merchant)."""
        membership = services.membership_deactivate(by=request.user, membership=self.get_object())
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=None, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        """Bring a deactivated member back with their previous role."""
        membership = services.membership_reactivate(by=request.user, membership=self.get_object())
        return Response(MembershipSerializer(membership).data)


@extend_schema(tags=["seller"])
class SellerInvitationViewSet(
    SellerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations to the team (owners only). POST invites by email (a signed link, valid for
    seven days, is emailed); DELETE revokes a pending invitation (the row stays, revoked)."""

    serializer_class = InvitationSerializer
    capabilities = {"*": Capability.MANAGE_TEAM}

    def queryset_for_merchant(self, merchant):
        return selectors.invitations_for_merchant(merchant)

    def perform_create(self, serializer):
        serializer.instance = services.invitation_create(
            by=self.request.user,
            merchant=self.merchant,
            email=serializer.validated_data["email"],
            role=serializer.validated_data["role"],
            language=getattr(self.request, "LANGUAGE_CODE", "") or "",
        )

    @extend_schema(responses={200: InvitationSerializer})
    def destroy(self, request, *args, **kwargs):
        invitation = services.invitation_revoke(by=request.user, invitation=self.get_object())
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_200_OK)


@extend_schema(tags=["seller"])
class SellerCommissionView(SellerAPIMixin, APIView):
    """The commission rates (percent) that apply to this merchant, by category, and where
    each comes from. Set by operators; read-only here."""

    @extend_schema(responses=CommissionSerializer)
    def get(self, request):
        return Response(CommissionSerializer(selectors.commission_table(self.merchant)).data)


@extend_schema(tags=["seller"])
class SellerPayoutView(SellerAPIMixin, APIView):
    """Payout details (owners only). GET shows the account number masked; PUT/PATCH change
    them (omit ``account_number`` to keep the stored one). Every change is in the history."""

    capabilities = {"*": Capability.MANAGE_PAYOUT}

    @extend_schema(responses=PayoutReadSerializer)
    def get(self, request):
        details = selectors.payout_details_for(self.merchant)
        if details is None:
            return Response(
                {
                    "bank_name": None,
                    "account_holder": None,
                    "account_number_masked": None,
                    "swift": None,
                    "updated_at": None,
                }
            )
        return Response(PayoutSerializer(details).data)

    @extend_schema(request=PayoutSerializer, responses=PayoutSerializer)
    def put(self, request):
        return self._save(request, partial=False)

    @extend_schema(request=PayoutSerializer, responses=PayoutSerializer)
    def patch(self, request):
        return self._save(request, partial=True)

    def _save(self, request, *, partial: bool):
        current = selectors.payout_details_for(self.merchant)
        serializer = PayoutSerializer(current, data=request.data, partial=bool(partial and current))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def value(name: str) -> str:
            if name in data:
                return data[name]
            return getattr(current, name, "") if current else ""

        details = services.payout_details_set(
            by=request.user,
            merchant=self.merchant,
            bank_name=value("payout_bank_name"),
            account_holder=value("payout_account_holder"),
            account_number=data.get("payout_account_number", ""),
            swift=value("payout_swift"),
        )
        return Response(PayoutSerializer(details).data)
