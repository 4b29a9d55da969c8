"""Back office: points rates (the operator sets a merchant's or a category's rate) and the
ledger, read only (rows are written by the services, never edited)."""

from django.contrib import admin

from .models import PointsEntry, PointsRate


@admin.register(PointsRate)
class PointsRateAdmin(admin.ModelAdmin):
    list_display = ("merchant", "category", "points_per_yuan", "set_by", "updated_at")
    readonly_fields = ("set_by",)

    def save_model(self, request, obj, form, change):
        """An operator's row (``points_rate_set``: the merchant cannot change it then)."""
        from .services import points_rate_set

        saved = points_rate_set(
            merchant=obj.merchant,
            category=obj.category,
            points_per_yuan=obj.points_per_yuan,
            by=request.user,
        )
        obj.pk, obj.set_by = saved.pk, saved.set_by

    list_select_related = ("merchant", "category")
    raw_id_fields = ("merchant", "category")


@admin.register(PointsEntry)
class PointsEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "points", "reference", "expires_at")
    list_filter = ("kind",)
    list_select_related = ("user",)
    search_fields = ("reference", "user__email")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
