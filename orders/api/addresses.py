"""/api/v1/addresses/: the signed-in shopper's saved delivery addresses (docs/API.md,
"Addresses"): list, add, one, change, delete; ``default: true`` makes one the default.
Only the owner's rows: anyone else's id is a 404, like one that does not exist. Writes go
through ``orders.services.address_save`` / ``address_delete`` (the one address rule,
``address_clean``); its refusals reach the client through the one error handler."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from marketplace.api import fields as api_fields
from orders.models import ADDRESS_FIELDS, SavedAddress
from orders.selectors.addresses import address_of, addresses_of
from orders.services import address_delete, address_save


class SavedAddressSerializer(serializers.Serializer):
    """A saved address as the API shows and takes it (fields checked by ``address_clean``:
    per country; a Chinese province by ISO code or name)."""

    id = api_fields.IntegerField(read_only=True)
    label = serializers.CharField(max_length=40, required=False, allow_blank=True)
    name = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=30)
    country = serializers.CharField(max_length=2)
    province = serializers.CharField(max_length=60, required=False, allow_blank=True)
    city = serializers.CharField(max_length=60)
    district = serializers.CharField(max_length=60, required=False, allow_blank=True)
    lines = serializers.CharField(max_length=200)
    postcode = serializers.CharField(max_length=12, required=False, allow_blank=True)
    default = serializers.BooleanField(source="is_default", required=False)


def _json(saved: SavedAddress) -> dict:
    return SavedAddressSerializer(saved).data


def _save(request, saved: SavedAddress | None, *, partial: bool) -> SavedAddress:
    data = SavedAddressSerializer(data=request.data, partial=partial)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    before = saved.as_address() if saved is not None else {}
    address = {field: values.get(field, before.get(field, "")) for field in ADDRESS_FIELDS}
    return address_save(
        user=request.user,
        address=address,
        label=values.get("label", saved.label if saved is not None else ""),
        default=values.get("is_default", False),
        saved=saved,
    )


class AddressesView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SavedAddressSerializer
    pagination_class = None

    @extend_schema(
        operation_id="v1_addresses_list",
        tags=["addresses"],
        responses={200: SavedAddressSerializer(many=True)},
    )
    def get(self, request):
        """The shopper's saved addresses, the default first."""
        return Response([_json(a) for a in addresses_of(user=request.user)])

    @extend_schema(tags=["addresses"], responses={201: SavedAddressSerializer})
    def post(self, request):
        """Save a new address (the first one is the default)."""
        return Response(_json(_save(request, None, partial=False)), status.HTTP_201_CREATED)


class AddressView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SavedAddressSerializer

    def get_saved(self) -> SavedAddress:
        saved = address_of(user=self.request.user, pk=self.kwargs["pk"])
        if saved is None:
            raise Http404
        return saved

    @extend_schema(tags=["addresses"])
    def get(self, request, pk):
        """One of the shopper's saved addresses."""
        return Response(_json(self.get_saved()))

    @extend_schema(tags=["addresses"])
    def patch(self, request, pk):
        """Change some fields (``default: true`` makes it the default)."""
        return Response(_json(_save(request, self.get_saved(), partial=True)))

    @extend_schema(tags=["addresses"], responses={204: None})
    def delete(self, request, pk):
        """Delete it (when it was the default, the oldest one left becomes the default)."""
        address_delete(user=request.user, saved=self.get_saved())
        return Response(status=status.HTTP_204_NO_CONTENT)
