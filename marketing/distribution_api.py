"""Distribution API for a mobile app (``/api/v1/distribution/…``, docs/MARKETING.md):
sign up, the dashboard's figures, one's commissions, and withdrawal requests. Signed-in
shoppers only; each sees only their own account."""

from __future__ import annotations

from dataclasses import asdict

from django.conf import settings
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from marketplace.api import fields as api_fields
from marketplace.money import Money, MoneyError, minor_unit

from .distribution import selectors
from .distribution.ledger import withdrawal_request
from .distribution.services import distributor_signup
from .models import Distributor

DASHBOARD = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="`distributor` (null before sign-up) with `code` and `share_url`; `figures`: "
    "`clicks`, `orders`, `currency`, `pending`, `confirmed`, `available`, `in_review`, "
    "`withdrawn` (approved, paid out or not), `paid_out` (decimal strings).",
)
WITHDRAWAL = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="A withdrawal: `id`, `amount`, `currency`, `status` (requested, approved, "
    "rejected, paid), `reason`, `created_at`, `payout_reference` and `paid_at` (once paid).",
)
COMMISSIONS = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="`results`: the account's latest commissions: `checkout`, `role` (level1, "
    "level2, rebate), `base`, `rate`, `amount`, `reversed`, `currency`, `status` (frozen, "
    "confirmed, reversed): frozen until the order completes (its merchant's return window "
    "passed with no return open), then confirmed.",
)


class WithdrawalSerializer(serializers.Serializer):
    amount = api_fields.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField(max_length=3, required=False)

    def validate_currency(self, value: str) -> str:
        try:
            minor_unit(value)
        except MoneyError:
            raise serializers.ValidationError(_("Not a currency code.")) from None
        return value.upper()


def _figures(figures) -> dict:
    return {k: (str(v) if not isinstance(v, int | str) else v) for k, v in asdict(figures).items()}


def _withdrawal(w) -> dict:
    return {
        "id": w.pk,
        "amount": str(w.amount),
        "currency": w.currency,
        "status": w.status,
        "reason": w.reason,
        "created_at": w.created_at.isoformat(),
        "payout_reference": w.payout_reference,
        "paid_at": w.paid_at.isoformat() if w.paid_at else None,
    }


class DistributionDashboardView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]

    def _body(self, distributor):
        if distributor is None:
            return {"distributor": None, "figures": None}
        return {
            "distributor": {
                "code": distributor.code,
                "share_url": settings.SITE_URL
                + reverse("distribution:share", args=[distributor.code]),
            },
            "figures": _figures(selectors.distributor_dashboard(distributor)),
        }

    @extend_schema(
        operation_id="v1_distribution_dashboard", tags=["distribution"], responses={200: DASHBOARD}
    )
    def get(self, request):
        """The signed-in shopper's distributor figures."""
        return Response(self._body(Distributor.objects.filter(user=request.user).first()))

    @extend_schema(
        operation_id="v1_distribution_signup",
        tags=["distribution"],
        request=None,
        responses={201: DASHBOARD},
    )
    def post(self, request):
        """Become a distributor (one click; a second call returns the same)."""
        return Response(
            self._body(distributor_signup(user=request.user)), status=status.HTTP_201_CREATED
        )


class DistributionCommissionsView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="v1_distribution_commissions",
        tags=["distribution"],
        responses={200: COMMISSIONS},
    )
    def get(self, request):
        """The account's latest 50 commissions and rebates."""
        rows = selectors.account_commissions(request.user)
        return Response(
            {
                "results": [
                    {
                        "checkout": c.checkout_number,
                        "role": c.role,
                        "base": str(c.base),
                        "rate": str(c.rate),
                        "amount": str(c.amount),
                        "reversed": str(c.reversed),
                        "currency": c.currency,
                        "status": c.status,
                    }
                    for c in rows
                ]
            }
        )


class DistributionWithdrawalsView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = WithdrawalSerializer

    @extend_schema(
        operation_id="v1_distribution_withdrawals_list",
        tags=["distribution"],
        responses={200: WITHDRAWAL},
    )
    def get(self, request):
        """The account's latest withdrawals."""
        return Response(
            {"results": [_withdrawal(w) for w in selectors.account_withdrawals(request.user)]}
        )

    @extend_schema(
        operation_id="v1_distribution_withdrawals_create",
        tags=["distribution"],
        request=WithdrawalSerializer,
        responses={201: WITHDRAWAL},
    )
    def post(self, request):
        """Ask to withdraw `amount` of the confirmed balance (`currency`: the shop's base
        currency unless given); refused beyond the available balance
        (`withdrawal_exceeds_balance`). An operator approves or rejects it."""
        data = WithdrawalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        currency = (data.validated_data.get("currency") or settings.BASE_CURRENCY).upper()
        withdrawal = withdrawal_request(
            user=request.user, amount=Money(data.validated_data["amount"], currency)
        )
        return Response(_withdrawal(withdrawal), status=status.HTTP_201_CREATED)


urlpatterns = [
    path("distribution/", DistributionDashboardView.as_view(), name="api-distribution"),
    path(
        "distribution/commissions/",
        DistributionCommissionsView.as_view(),
        name="api-distribution-commissions",
    ),
    path(
        "distribution/withdrawals/",
        DistributionWithdrawalsView.as_view(),
        name="api-distribution-withdrawals",
    ),
]
