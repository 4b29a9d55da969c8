"""Back office: master consignments (Fulfilment → Master consignments) with their parcels,
the arrival manifest (CEB711) shown as built, and the operators' moves through the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from customs.ceb import messages as ceb_messages
from customs.profiles.services import NoCustomsProfile, profile_for, transfer_for

from .consignments import ConsignmentEvent, ConsignmentParcel, MasterConsignment
from .services.consolidation import consignment_create, consignment_manifest, consignment_move


class ConsignmentParcelInline(admin.TabularInline):
    model = ConsignmentParcel
    fields = ("parcel", "waybill", "order", "status", "domestic_carrier", "domestic_waybill")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parcel__order", "domestic_carrier")

    @admin.display(description=_("waybill"))
    def waybill(self, obj):
        return obj.parcel.waybill_number

    @admin.display(description=_("order"))
    def order(self, obj):
        return obj.parcel.order.number

    @admin.display(description=_("status"))
    def status(self, obj):
        return obj.parcel.get_status_display()

    def has_add_permission(self, request, obj=None):
        return False


class ConsignmentEventInline(admin.TabularInline):
    model = ConsignmentEvent
    fields = ("created_at", "transition", "from_state", "to_state", "actor")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _move(name: str, label):
    @admin.action(description=label, permissions=["change"])
    def action(modeladmin, request, queryset):
        for consignment in queryset:
            try:
                consignment_move(consignment=consignment, name=name, by=request.user)
            except (ValidationError, Exception) as exc:  # noqa: BLE001 - shown to the operator
                modeladmin.message_user(request, f"{consignment}: {exc}", messages.ERROR)

    action.__name__ = f"consignment_{name}"
    return action


@admin.register(MasterConsignment)
class MasterConsignmentAdmin(admin.ModelAdmin):
    list_display = (
        "bill_number",
        "arrival_port",
        "vehicle",
        "voyage",
        "carrier",
        "status",
        "parcels",
    )
    list_filter = ("status", "arrival_port", "transport_mode")
    search_fields = ("bill_number", "members__parcel__waybill_number")
    list_select_related = ("carrier",)
    fields = (
        "bill_number",
        "transport_mode",
        "vehicle",
        "voyage",
        "arrival_port",
        "carrier",
        "status",
        "created_by",
        "created_at",
        "split_at",
        "manifest",
    )
    readonly_fields = ("status", "created_by", "created_at", "split_at", "manifest")
    inlines = [ConsignmentParcelInline, ConsignmentEventInline]
    actions = [_move("close", _("Close (manifest ready)")), _move("arrive", _("Mark arrived"))]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(parcel_count=Count("members"))

    @admin.display(description=_("parcels"), ordering="parcel_count")
    def parcels(self, obj):
        return obj.parcel_count

    @admin.display(description=_("arrival manifest (CEB711, unsigned)"))
    def manifest(self, obj):
        if obj.pk is None or not obj.members.exists():
            return "—"
        try:
            profile = profile_for(None)
            doc = consignment_manifest(obj)
            xml = ceb_messages.to_bytes(
                ceb_messages.build([doc], transfer=transfer_for(profile))
            ).decode()
        except (NoCustomsProfile, ValueError) as exc:
            return str(exc)
        return format_html("<pre>{}</pre>", xml)

    def has_change_permission(self, request, obj=None):
        # the header is entered once; parcels and moves go through the services
        return super().has_change_permission(request, obj) and (obj is None or obj.pk is None)

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = consignment_create(
            bill_number=obj.bill_number,
            carrier=obj.carrier,
            vehicle=obj.vehicle,
            voyage=obj.voyage,
            arrival_port=obj.arrival_port,
            mode=obj.transport_mode,
            by=request.user,
        )
        obj.pk = created.pk
        obj.refresh_from_db()
