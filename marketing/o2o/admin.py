"""Back office for O2O (imported by ``marketing.admin``): stores and the orders they brought,
read only (merchants create stores in the seller portal)."""

from __future__ import annotations

from django.contrib import admin

from .models import OfflineStore, StoreOrder


@admin.register(OfflineStore)
class OfflineStoreAdmin(admin.ModelAdmin):
    list_display = ("name", "merchant", "code", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "code", "merchant__name_en", "merchant__name_zh_hans")
    list_select_related = ("merchant",)
    readonly_fields = ("merchant", "code", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(StoreOrder)
class StoreOrderAdmin(admin.ModelAdmin):
    list_display = (
        "store_code",
        "store",
        "checkout_number",
        "order_id",
        "paid",
        "currency",
        "created_at",
    )
    search_fields = ("store_code", "checkout_number")
    list_select_related = ("store",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
