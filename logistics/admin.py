"""Back office: warehouses. Operators register platform warehouses (bonded, overseas,
domestic) and may edit any; writes go through the warehouse services."""

from django.contrib import admin
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from .models import Warehouse
from .services import OPERATOR_EDITABLE, warehouse_create, warehouse_update


class OwnerFilter(admin.SimpleListFilter):
    title = _("owner")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("platform", _("Platform")), ("merchant", _("Merchants"))]

    def queryset(self, request, queryset):
        if self.value() == "platform":
            return queryset.filter(merchant__isnull=True)
        if self.value() == "merchant":
            return queryset.filter(merchant__isnull=False)
        return queryset


@admin.register(Warehouse)
class WarehouseAdmin(TranslationAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "country",
        "customs_area_code",
        "merchant",
        "is_active",
        "stock_rows",
        "units_on_hand",
    )
    list_filter = ("kind", OwnerFilter, "country", "is_active")
    search_fields = ("code", "name_en", "name_zh_hans", "customs_area_code")
    autocomplete_fields = ["merchant"]
    fields = (
        "code",
        "name",
        "kind",
        "country",
        "customs_area_code",
        "address",
        "merchant",
        "is_active",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("merchant")
            .annotate(_rows=Count("stock"), _units=Sum("stock__on_hand"))
        )

    @admin.display(description=_("stock rows"), ordering="_rows")
    def stock_rows(self, obj):
        return obj._rows

    @admin.display(description=_("units on hand"), ordering="_units")
    def units_on_hand(self, obj):
        return obj._units or 0

    def get_readonly_fields(self, request, obj=None):
        # Stock files and integrations name warehouses by code: it never changes.
        return ("code",) if obj else ()

    def has_delete_permission(self, request, obj=None):
        # Stock rows protect their warehouse; close it (inactive) instead.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            changes = {
                name: getattr(obj, name) for name in form.changed_data if name in OPERATOR_EDITABLE
            }
            saved = warehouse_update(warehouse=obj, by=request.user, **changes)
        else:
            saved = warehouse_create(
                code=obj.code,
                kind=obj.kind,
                country=obj.country,
                name_en=obj.name_en or "",
                name_zh_hans=obj.name_zh_hans or "",
                customs_area_code=obj.customs_area_code,
                address=obj.address,
                merchant=obj.merchant,
                is_active=obj.is_active,
                by=request.user,
            )
        obj.pk = saved.pk


from logistics.shipping import admin as _shipping_admin  # noqa: E402, F401 - its screens
