from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import Membership, Merchant


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Merchant)
class MerchantAdmin(TranslationAdmin):
    list_display = ("name", "kind", "status", "country", "created_at")
    list_filter = ("kind", "status", "country")
    search_fields = ("name_en", "name_zh_hans", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "merchant", "role", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("user__email", "merchant__name_en", "merchant__name_zh_hans")
    autocomplete_fields = ["user", "merchant"]
