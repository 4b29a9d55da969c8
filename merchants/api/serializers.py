from rest_framework import serializers

from marketplace.api import fields as api_fields
from merchants.forms import ApplicationForm
from merchants.models import (
    Invitation,
    Membership,
    Merchant,
    MerchantApplication,
    MerchantApplicationEvent,
    MerchantEvent,
)
from merchants.roles import Role
from merchants.validators import (
    SWIFT_VALIDATOR,
    normalise_account_number,
    validate_account_number,
)


class MerchantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Merchant
        fields = ["id", "slug", "name", "kind", "status", "country", "trade_modes"]
        read_only_fields = fields


class MerchantEventSerializer(serializers.ModelSerializer):
    """One row of the merchant's history. Operators are not named to merchants."""

    label = serializers.CharField(source="get_transition_display", read_only=True)
    summary = serializers.CharField(read_only=True)
    by = serializers.SerializerMethodField()

    class Meta:
        model = MerchantEvent
        fields = [
            "id",
            "transition",
            "label",
            "from_state",
            "to_state",
            "reason",
            "summary",
            "by",
            "created_at",
        ]
        read_only_fields = fields

    def get_by(self, obj) -> str | None:
        if obj.actor is None:
            return None
        return "operator" if obj.actor.is_staff else obj.actor.email


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "email", "role", "is_active", "created_at"]
        read_only_fields = ["id", "email", "is_active", "created_at"]


class InvitationSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices, default=Role.STAFF)
    status = serializers.CharField(read_only=True)
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]


class PayoutSerializer(serializers.Serializer):
    """Payout details. The account number is write-only; reads get it masked."""

    bank_name = serializers.CharField(source="payout_bank_name", max_length=120)
    account_holder = serializers.CharField(source="payout_account_holder", max_length=120)
    account_number = serializers.CharField(
        source="payout_account_number",
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=50,
        help_text="Account number or IBAN. Omit to keep the stored one.",
    )
    account_number_masked = serializers.CharField(source="payout_account_masked", read_only=True)
    swift = serializers.CharField(source="payout_swift", max_length=14)
    updated_at = serializers.DateTimeField(read_only=True)

    def validate_account_number(self, value: str) -> str:
        if value:
            validate_account_number(value)
        return normalise_account_number(value)

    def validate_swift(self, value: str) -> str:
        value = value.replace(" ", "").upper()
        SWIFT_VALIDATOR(value)
        return value


class PayoutReadSerializer(serializers.Serializer):
    """Payout details as GET shows them: every field is null until the owner first saves."""

    bank_name = serializers.CharField(allow_null=True)
    account_holder = serializers.CharField(allow_null=True)
    account_number_masked = serializers.CharField(allow_null=True)
    swift = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class CommissionLineSerializer(serializers.Serializer):
    category = api_fields.IntegerField(source="category.pk")
    slug = serializers.CharField(source="category.slug")
    name = serializers.CharField(source="category.name")
    parent = api_fields.IntegerField(source="category.parent_id", allow_null=True)
    rate = api_fields.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    source = serializers.ChoiceField(choices=["category", "parent", "merchant", "platform"])


class CommissionSerializer(serializers.Serializer):
    """Rates in percent, as strings (money rule: Decimal, never float)."""

    default_rate = api_fields.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    default_source = serializers.ChoiceField(choices=["merchant", "platform"])
    merchant_rate = api_fields.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=True, allow_null=True
    )
    platform_rate = api_fields.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    categories = CommissionLineSerializer(source="lines", many=True)


class ApplicationEventSerializer(MerchantEventSerializer):
    """One step of an application's review; the reason is the operator's question or
    decision, shown to the applicant (operators are not named)."""

    summary = None

    class Meta:
        model = MerchantApplicationEvent
        fields = [name for name in MerchantEventSerializer.Meta.fields if name != "summary"]
        read_only_fields = fields


class MerchantApplicationSerializer(serializers.ModelSerializer):
    """An application as its applicant sees it: what they sent (the account number masked),
    where the review stands, and its history."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    categories = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    trade_modes = serializers.ListField(child=serializers.CharField(), read_only=True)
    payout_account_masked = serializers.CharField(read_only=True)
    merchant = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    events = ApplicationEventSerializer(many=True, read_only=True)

    class Meta:
        model = MerchantApplication
        # what the form takes, less what is never read back (the file is at .../licence/,
        # the account number only masked)
        fields = [
            "id",
            "status",
            "status_label",
            *(
                name
                for name in ApplicationForm.Meta.fields
                if name not in ("licence_file", "payout_account_number")
            ),
            "payout_account_masked",
            "merchant",
            "created_at",
            "updated_at",
            "events",
        ]
        read_only_fields = fields
