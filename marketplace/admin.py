"""Back office (Django admin at /ops/): branding and the kernel tables."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .forms import form_add_service_errors
from .models import Currency, ExchangeRate, OutboxMessage, PersonalDataAccess
from .outbox import outbox_retry
from .services import exchange_rate_check, exchange_rate_set


class ReadOnlyAdminMixin:
    """Back-office screens that only show: the rows change through services (with their
    events and reasons), never by editing them here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = _("Silkway back office")
admin.site.site_title = _("Silkway back office")
admin.site.index_title = _("Operations")


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "minor_unit", "is_active")
    list_editable = ("is_active",)
    search_fields = ("code", "name")

    @admin.display(description=_("minor unit digits"))
    def minor_unit(self, obj):
        return obj.minor_unit


class ExchangeRateForm(forms.ModelForm):
    """Shows the service's refusal (a rate for the base currency) on the currency field,
    instead of failing when the row is saved."""

    class Meta:
        model = ExchangeRate
        fields = ("currency", "rate", "valid_from")

    def clean(self):
        cleaned = super().clean()
        currency = cleaned.get("currency")
        if currency is not None:
            try:
                exchange_rate_check(currency=currency.code)
            except ValidationError as exc:
                form_add_service_errors(self, exc)
        return cleaned


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Rates are added, never edited: orders keep pointing at the rate they froze."""

    form = ExchangeRateForm
    list_display = ("currency", "rate", "valid_from", "set_by", "created_at")
    list_filter = ("currency",)
    date_hierarchy = "valid_from"
    fields = ("currency", "rate", "valid_from")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        created = exchange_rate_set(
            currency=obj.currency_id,
            rate=obj.rate,
            by=request.user,
            valid_from=obj.valid_from,
        )
        obj.pk = created.pk


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only audit trail of personal-data reads."""

    list_display = ("created_at", "actor", "subject_type", "subject_id", "field", "purpose")
    list_filter = ("subject_type", "field")
    search_fields = ("subject_id", "actor__email", "purpose")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Outbound messages (emails, later customs messages and webhooks): what is waiting,
    what was delivered, and what died after its retries, with the last error. A dead
    message is retried from here ("Retry the selected messages")."""

    list_display = (
        "id",
        "kind",
        "key",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
        "created_at",
        "delivered_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("key", "kind", "last_error")
    date_hierarchy = "created_at"
    readonly_fields = (
        "kind",
        "key",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "last_error",
        "created_at",
        "updated_at",
        "delivered_at",
    )
    actions = ["retry"]

    def has_change_permission(self, request, obj=None):
        # viewing is allowed to whoever may view; the retry action needs change rights
        return request.user.has_perm("marketplace.change_outboxmessage")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("marketplace.view_outboxmessage") or (
            self.has_change_permission(request, obj)
        )

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.action(description=_("Retry the selected messages"), permissions=["change"])
    def retry(self, request, queryset):
        retried = 0
        for message in queryset.exclude(status=OutboxMessage.Status.SENT):
            outbox_retry(message=message)
            retried += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be delivered again.",
                "%(count)d messages will be delivered again.",
                retried,
            )
            % {"count": retried},
            messages.SUCCESS,
        )
