"""/api/v1/account/identities/: the identities a shopper saved on their own account.

Only the owner reaches their rows (another user's id is a 404); the number goes in once and
only its masked form comes back. A saved identity is what lets the owner's duty quotes show
its yearly allowance (docs/SECURITY.md).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from customs import selectors, services
from customs.models import BuyerIdentity


class BuyerIdentitySerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(
        write_only=True,
        max_length=40,
        help_text=_("The 18-character identity number; never sent back"),
    )

    class Meta:
        model = BuyerIdentity
        fields = ["id", "name", "id_number", "id_masked", "created_at"]
        read_only_fields = ["id", "id_masked", "created_at"]


@extend_schema_view(
    list=extend_schema(summary=_("Your saved identities (masked)")),
    create=extend_schema(summary=_("Save an identity on your account")),
    destroy=extend_schema(summary=_("Remove a saved identity")),
)
@extend_schema(tags=["account"])
class BuyerIdentityViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = BuyerIdentitySerializer
    permission_classes = [permissions.IsAuthenticated]
    # Rows come from get_queryset (the caller's own); this only names the model for the schema.
    queryset = BuyerIdentity.objects.none()

    def get_queryset(self):
        return selectors.buyer_identities_of(user=self.request.user)

    def create(self, request, *args, **kwargs):
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            identity = services.buyer_identity_save(
                user=request.user,
                name=incoming.validated_data["name"],
                id_number=incoming.validated_data["id_number"],
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"id_number": exc.messages}) from exc
        return Response(self.get_serializer(identity).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.buyer_identity_delete(identity=instance)
