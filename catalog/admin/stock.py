"""Back office: stock (read-only: stock changes only through the stock services, with a
reason) with each row's adjustments, and the CSV import jobs with their reports."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from catalog.models import ImportJob, Stock, StockAdjustment
from marketplace.admin import ReadOnlyAdminMixin


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Stock changes only through the stock services, with a reason."""


class AdjustmentInline(admin.TabularInline):
    model = StockAdjustment
    extra = 0
    can_delete = False
    fields = (
        "created_at",
        "reason",
        "on_hand_delta",
        "reserved_delta",
        "on_hand_after",
        "reserved_after",
        "actor",
        "note",
    )
    readonly_fields = fields
    ordering = ("-created_at", "-id")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Stock)
class StockAdmin(ReadOnlyAdmin):
    list_display = (
        "sku",
        "product_name",
        "merchant",
        "warehouse",
        "on_hand",
        "reserved",
        "available_units",
    )
    list_filter = ("warehouse__kind", "warehouse", "merchant")
    search_fields = ("sku__code", "sku__product__name_en", "sku__product__name_zh_hans")
    list_select_related = ("sku", "sku__product", "merchant", "warehouse")
    inlines = [AdjustmentInline]

    @admin.display(description=_("product"))
    def product_name(self, obj):
        return obj.sku.product.name

    @admin.display(description=_("available"))
    def available_units(self, obj):
        return obj.available


@admin.register(StockAdjustment)
class StockAdjustmentAdmin(ReadOnlyAdmin):
    """The stock ledger across merchants (who changed what, when, why)."""

    list_display = (
        "created_at",
        "merchant",
        "stock",
        "reason",
        "on_hand_delta",
        "reserved_delta",
        "on_hand_after",
        "reserved_after",
        "actor",
    )
    list_filter = ("reason", "merchant")
    search_fields = ("stock__sku__code", "note", "actor__email")
    list_select_related = ("merchant", "stock__sku", "stock__warehouse", "actor")
    date_hierarchy = "created_at"


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created_at",
        "merchant",
        "kind",
        "status",
        "filename",
        "total_rows",
        "processed_rows",
        "created_by",
    )
    list_filter = ("status", "kind", "merchant")
    search_fields = ("filename", "merchant__name_en", "merchant__name_zh_hans")
    list_select_related = ("merchant", "created_by")
    exclude = ("content", "errors")
    readonly_fields = ("error_report",)

    @admin.display(description=_("errors"))
    def error_report(self, obj):
        return format_html_join(
            "\n",
            "<div>{}: <code>{}</code> {}</div>",
            ((e.get("line"), e.get("column"), e.get("message")) for e in obj.errors or []),
        )
