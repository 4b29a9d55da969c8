from rest_framework import serializers

from merchants.models import Membership, Merchant
from merchants.roles import Role


class MerchantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Merchant
        fields = ["id", "slug", "name", "kind", "status", "country"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "email", "role", "is_active", "created_at"]
        read_only_fields = ["id", "email", "is_active", "created_at"]
