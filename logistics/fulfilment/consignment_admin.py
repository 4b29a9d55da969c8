"""Back office: master consignments (Fulfilment → Master consignments) with their parcels,
the arrival manifest (CEB711) shown as built, and the operators' moves through the services:
parcels are put on a consignment from the parcel list (action "Put on a master
consignment…", ``consignment_add_parcels``, all or none), a consignment is closed, marked
arrived (``consignment_move``) and split for domestic delivery (action "Split for domestic
delivery…", ``consignment_split``) from the consignment list."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from customs.ceb import messages as ceb_messages
from customs.profiles.services import NoCustomsProfile, profile_for, transfer_for
from logistics.shipping.models import Carrier
from marketplace.transitions import IllegalTransition

from .consignments import ConsignmentEvent, ConsignmentParcel, MasterConsignment
from .services.consolidation import (
    consignment_add_parcels,
    consignment_create,
    consignment_manifest,
    consignment_move,
    consignment_split,
)

REFUSALS = (IllegalTransition, ValidationError, PermissionDenied)


def _refusal_text(error: Exception) -> str:
    if isinstance(error, IllegalTransition):
        return gettext("not possible from its current status")
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or gettext("not allowed")


class ConsignmentChoiceForm(forms.Form):
    consignment = forms.ModelChoiceField(
        label=_("master consignment"),
        queryset=MasterConsignment.objects.filter(status=MasterConsignment.Status.OPEN),
        help_text=_(
            "Open consignments only. Every parcel must be direct mail (9610) bound for the "
            "consignment's arrival port and on no other consignment."
        ),
    )


class DomesticCarrierForm(forms.Form):
    domestic_carrier = forms.ModelChoiceField(
        label=_("domestic carrier"),
        queryset=Carrier.objects.filter(is_active=True),
        help_text=_("Each parcel gets a waybill of this carrier for its domestic leg."),
    )


def _ask(modeladmin, request, queryset, *, title, form_class, apply):
    """An admin action's intermediate page: ``form_class`` for the chosen rows, then
    ``apply(cleaned_data)`` (which returns what to tell the operator); a service's refusal
    is shown as an error and nothing is changed by it."""
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            try:
                done = apply(form.cleaned_data)
            except REFUSALS as error:
                modeladmin.message_user(request, _refusal_text(error), messages.ERROR)
            else:
                if done:
                    modeladmin.message_user(request, done, messages.SUCCESS)
            return None
    else:
        form = form_class()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": list(queryset),
        "form": form,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, "admin/catalog/action_reason.html", context)


@admin.action(description=_("Put on a master consignment…"), permissions=["consign"])
def add_to_consignment(modeladmin, request, queryset):
    """Fulfilment → Parcels: the chosen parcels onto one open consignment (all or none)."""

    def apply(data):
        consignment = data["consignment"]
        count = consignment_add_parcels(
            consignment=consignment,
            parcel_ids=list(queryset.values_list("pk", flat=True)),
            by=request.user,
        )
        return ngettext(
            "%(n)s parcel put on %(consignment)s.", "%(n)s parcels put on %(consignment)s.", count
        ) % {
            "n": count,
            "consignment": consignment,
        }

    return _ask(
        modeladmin,
        request,
        queryset,
        title=gettext("Put parcels on a master consignment"),
        form_class=ConsignmentChoiceForm,
        apply=apply,
    )


@admin.action(description=_("Split for domestic delivery…"), permissions=["change"])
def split_consignments(modeladmin, request, queryset):
    """Fulfilment → Master consignments: each chosen (arrived) consignment broken up at the
    bonded warehouse, every parcel given its domestic leg."""

    def apply(data):
        done = []
        for consignment in queryset.order_by("pk"):
            try:
                legs = consignment_split(
                    consignment=consignment,
                    domestic_carrier=data["domestic_carrier"],
                    by=request.user,
                )
            except REFUSALS as error:
                modeladmin.message_user(
                    request,
                    gettext("%(object)s: %(problem)s")
                    % {"object": consignment, "problem": _refusal_text(error)},
                    messages.ERROR,
                )
            else:
                done.append(
                    ngettext(
                        "%(consignment)s split: %(n)s domestic waybill.",
                        "%(consignment)s split: %(n)s domestic waybills.",
                        legs,
                    )
                    % {"consignment": consignment, "n": legs}
                )
        return " ".join(done)

    return _ask(
        modeladmin,
        request,
        queryset,
        title=gettext("Split master consignments for domestic delivery"),
        form_class=DomesticCarrierForm,
        apply=apply,
    )


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
    actions = [
        _move("close", _("Close (manifest ready)")),
        _move("arrive", _("Mark arrived")),
        split_consignments,
    ]

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
