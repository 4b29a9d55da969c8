"""Back office: carriers' tracking feeds (the webhook secret is write-only) and parcels with
their events (read-only: events are the carriers' record, parcels move by events)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .consignment_admin import add_to_consignment
from .models import CarrierFeed, Parcel, TrackingEvent
from .print_views import print_labels, print_slips
from .services.feeds import carrier_feed_save


class CarrierFeedForm(forms.ModelForm):
    new_secret = forms.CharField(
        label=_("new webhook secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current secret. It is stored encrypted."),
    )

    class Meta:
        model = CarrierFeed
        fields = (
            "carrier",
            "delivery",
            "vocabulary",
            "booking_url",
            "adapter",
            "poll_url",
            "poll_every_minutes",
            "is_active",
        )


@admin.register(CarrierFeed)
class CarrierFeedAdmin(admin.ModelAdmin):
    form = CarrierFeedForm
    list_display = ("carrier", "delivery", "vocabulary", "is_active", "last_polled_at")
    list_filter = ("delivery", "is_active")

    def save_model(self, request, obj, form, change):
        carrier_feed_save(
            feed=obj, secret=form.cleaned_data.get("new_secret") or None, by=request.user
        )


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    fields = ("occurred_at", "status", "raw_status", "location", "text", "source", "received_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-occurred_at", "-id")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Parcel)
class ParcelAdmin(admin.ModelAdmin):
    list_display = (
        "waybill_number",
        "order",
        "carrier",
        "route",
        "status",
        "status_at",
        "shipped_at",
    )
    list_filter = ("status", "route", "carrier")
    search_fields = ("waybill_number", "order__number")
    list_select_related = ("order", "carrier")
    readonly_fields = [f.name for f in Parcel._meta.fields]
    inlines = [TrackingEventInline]
    actions = [print_labels, print_slips, add_to_consignment]

    def has_add_permission(self, request, obj=None):
        return False

    def has_consign_permission(self, request):
        """Putting parcels on a consignment changes the consignment, not the parcels."""
        return request.user.has_perm("fulfilment.change_masterconsignment")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Master consignments' screens; operations (thresholds, the exceptions queue, packing for
# platform warehouses).
from . import consignment_admin, stuck_admin  # noqa: E402, F401
