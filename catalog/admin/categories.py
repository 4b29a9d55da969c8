from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from catalog.models import Category


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    list_display = ("name", "parent", "position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name_en", "name_zh_hans", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
