"""Back office (Django admin at /ops/): branding and the kernel tables."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Currency, ExchangeRate, PersonalDataAccess
from .services import exchange_rate_set


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


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Rates are added, never edited: orders keep pointing at the rate they froze."""

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
