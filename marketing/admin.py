"""Back office: flash sales and admissions. Operators see every merchant's sales with their
live counters and cancel a sale (through ``flash_sale_cancel``); merchants schedule theirs
in the seller portal. Admissions are read-only: they move only through the services."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .flash.selectors import flash_counters, flash_held_units_by_item
from .flash.services import flash_sale_cancel
from .models import FlashAdmission, FlashSale, FlashSaleItem


class FlashSaleItemInline(admin.TabularInline):
    model = FlashSaleItem
    fields = ("sku", "flash_price", "quantity", "held", "left")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sku")

    @admin.display(description=_("Held by shoppers"))
    def held(self, item):
        return flash_held_units_by_item([item.pk]).get(item.pk, 0)

    @admin.display(description=_("Left at the gate"))
    def left(self, item):
        value = flash_counters([item.pk])[item.pk]
        return "—" if value is None else value


@admin.register(FlashSale)
class FlashSaleAdmin(admin.ModelAdmin):
    list_display = ("title", "merchant", "starts_at", "ends_at", "per_shopper_limit", "status")
    list_filter = ("status",)
    search_fields = ("title", "merchant__name_en", "merchant__name_zh_hans")
    list_select_related = ("merchant",)
    readonly_fields = (
        "merchant",
        "title",
        "starts_at",
        "ends_at",
        "per_shopper_limit",
        "status",
        "created_by",
        "created_at",
    )
    inlines = [FlashSaleItemInline]
    actions = ["cancel_sales"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cancel the selected flash sales"))
    def cancel_sales(self, request, queryset):
        for sale in queryset:
            try:
                flash_sale_cancel(
                    sale=sale, by=request.user, reason=str(_("Cancelled by an operator"))
                )
            except ValidationError as exc:
                self.message_user(request, f"{sale}: {' '.join(exc.messages)}", messages.ERROR)


@admin.register(FlashAdmission)
class FlashAdmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "item", "user", "quantity", "status", "expires_at", "checkout_number")
    list_filter = ("status",)
    search_fields = ("checkout_number", "user__email")
    list_select_related = ("item__sale", "user")
    readonly_fields = (
        "item",
        "user",
        "quantity",
        "status",
        "expires_at",
        "checkout_number",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
