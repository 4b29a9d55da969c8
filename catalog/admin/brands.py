"""Back office: brands (operator-maintained; merchants pick from the list)."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from catalog.models import Brand


@admin.register(Brand)
class BrandAdmin(TranslationAdmin):
    list_display = ("name", "slug", "country", "is_active", "product_count")
    list_filter = ("is_active", "country")
    search_fields = ("name_en", "name_zh_hans", "slug")
    prepopulated_fields = {"slug": ("name_en",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description=_("products"), ordering="product_count")
    def product_count(self, brand):
        return brand.product_count

    def has_delete_permission(self, request, obj=None):
        # Products point at brands (PROTECT); deactivate a brand instead of deleting it.
        if obj is not None and obj.products.exists():
            return False
        return super().has_delete_permission(request, obj)
