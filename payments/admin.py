"""Back-office screens: payments (identity masked, never decrypted here), their refunds and
events, and the webhook events Stripe sent. Read-only: payments move through
``payments.services`` (refunds are the orders' back-office action, which calls
``payment_refund``)."""

from __future__ import annotations

from django.contrib import admin

from marketplace.admin import ReadOnlyAdminMixin

from .models import Payment, PaymentEvent, Refund, StripeEvent


class RefundInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Refund
    extra = 0
    fields = ("reference", "amount", "currency", "status", "provider_refund_id", "refunded_at")
    readonly_fields = fields


class PaymentEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PaymentEvent
    extra = 0
    fields = ("created_at", "transition", "from_state", "to_state", "reason")
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "amount", "currency", "status", "paid_at", "created_at")
    list_filter = ("status", "currency", "keep_raw")
    search_fields = ("reference", "intent_id", "transaction_id")
    # the payer's name and identity number stay encrypted here: the masked copy only
    fields = (
        "reference",
        "amount",
        "currency",
        "status",
        "intent_id",
        "transaction_id",
        "paid_at",
        "failure_code",
        "failure_message",
        "payer_id_masked",
        "keep_raw",
        "keep_until",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (RefundInline, PaymentEventInline)


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("event_id", "type", "object_id", "deliveries", "received_at", "processed_at")
    list_filter = ("type",)
    search_fields = ("event_id", "object_id")
    fields = (
        "event_id",
        "type",
        "object_id",
        "deliveries",
        "outcome",
        "received_at",
        "processed_at",
        "payload",
    )
    readonly_fields = fields
