from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "display_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "display_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(AccessAttempt)
class LoginFailureAdmin(admin.ModelAdmin):
    """Failed log-ins counted by the lockout (marketplace/lockout.py), one row per account,
    client and browser. Deleting a row forgets its failures: an operator's way to lift a
    lock early."""

    list_display = ("username", "ip_address", "failures_since_start", "attempt_time", "locked")
    list_filter = ("attempt_time",)
    search_fields = ("username", "ip_address")
    fields = ("username", "ip_address", "user_agent", "path_info", "failures_since_start")
    readonly_fields = fields
    date_hierarchy = "attempt_time"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("locked"), boolean=True)
    def locked(self, obj):
        recent = obj.attempt_time >= timezone.now() - settings.AXES_COOLOFF_TIME
        return recent and obj.failures_since_start >= settings.AXES_FAILURE_LIMIT
