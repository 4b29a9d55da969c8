"""Back office for operations (docs/LOGISTICS.md, "Operations"): the stuck-parcel thresholds
per route or shipping method, the exceptions queue with its actions (contact the carrier,
reship, refund, close), and packing for the platform's warehouse staff (operators pack orders
held in the platform's warehouses through the same ``shipment_create``).

Imported by ``admin.py``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from marketplace.transitions import IllegalTransition
from orders.models import Order

from .models import Shipment
from .services import shipment_create
from .services.stuck import (
    DEFAULT_THRESHOLDS,
    exception_close,
    exception_contact_carrier,
    exception_refund,
    exception_reship,
)
from .stuck_models import ParcelException, TransitThreshold


@admin.register(TransitThreshold)
class TransitThresholdAdmin(admin.ModelAdmin):
    list_display = ("route", "shipping_method", "quiet_hours", "grace_days")
    list_filter = ("route",)
    autocomplete_fields = ()

    def changelist_view(self, request, extra_context=None):
        defaults = ", ".join(f"{k}: {v.quiet_hours} h" for k, v in DEFAULT_THRESHOLDS.items())
        messages.info(
            request, _("Without a row, a route's default applies: %(d)s.") % {"d": defaults}
        )
        return super().changelist_view(request, extra_context)


ACTIONS = [
    ("", _("— nothing —")),
    ("contact", _("Contact the carrier (record the note)")),
    ("reship", _("Reship: a new parcel on a new waybill")),
    ("refund", _("Refund the shopper")),
    ("close", _("Close: nothing more to do")),
]


class ExceptionActionForm(forms.ModelForm):
    action = forms.ChoiceField(label=_("action"), choices=ACTIONS, required=False)
    note = forms.CharField(label=_("note or reason"), required=False, widget=forms.Textarea)
    amount = forms.DecimalField(
        label=_("amount to refund"),
        required=False,
        min_value=0,
        help_text=_("In the order's currency. Empty: everything not refunded yet."),
    )

    class Meta:
        model = ParcelException
        fields = ()


@admin.register(ParcelException)
class ParcelExceptionAdmin(admin.ModelAdmin):
    form = ExceptionActionForm
    list_display = ("opened_at", "order", "parcel", "carrier", "route", "reason", "status")
    list_filter = ("status", "reason", "parcel__carrier", "parcel__route")
    search_fields = ("order__number", "parcel__waybill_number")
    list_select_related = ("order", "parcel__carrier")
    readonly_fields = (
        "merchant",
        "order",
        "parcel",
        "reason",
        "status",
        "detail",
        "replacement",
        "opened_at",
        "closed_at",
        "history",
    )

    @admin.display(description=_("what was done"))
    def history(self, obj):
        # events as a read-only list (not an inline: the action form posts alone)
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} · {} · {} · {}",
                (
                    (
                        e.created_at.strftime("%Y-%m-%d %H:%M"),
                        e.transition,
                        e.actor or "—",
                        e.reason,
                    )
                    for e in obj.events.select_related("actor")
                ),
            )
            or "—"
        )

    @admin.display(description=_("carrier"))
    def carrier(self, obj):
        return obj.parcel.carrier

    @admin.display(description=_("route"))
    def route(self, obj):
        return obj.parcel.route

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        action = form.cleaned_data.get("action")
        note = form.cleaned_data.get("note") or ""
        try:
            if action == "contact":
                exception_contact_carrier(exception=obj, by=request.user, note=note)
            elif action == "reship":
                new = exception_reship(exception=obj, by=request.user, reason=note)
                messages.success(request, _("Sent again on waybill %(n)s.") % {"n": new})
            elif action == "refund":
                exception_refund(
                    exception=obj,
                    by=request.user,
                    reason=note,
                    amount=form.cleaned_data.get("amount"),
                )
            elif action == "close":
                exception_close(exception=obj, by=request.user, reason=note)
        except (ValidationError, IllegalTransition, PermissionDenied) as exc:
            text = "; ".join(getattr(exc, "messages", [str(exc)]))
            messages.error(request, text)


class PackForm(forms.ModelForm):
    number = forms.CharField(label=_("order number"), max_length=20)

    class Meta:
        model = Shipment
        fields = ()

    def clean_number(self):
        number = self.cleaned_data["number"].strip().upper()
        order = Order.objects.filter(number=number).select_related("warehouse").first()
        if order is None:
            raise ValidationError(_("No order with this number."))
        self.order = order
        return number


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    """Shipments; the platform's warehouse staff pack an order here (one parcel with
    everything, through ``shipment_create``; a split is the seller portal's or the API's)."""

    list_display = ("pk", "order", "warehouse", "created_at", "created_by")
    list_filter = ("warehouse",)
    search_fields = ("order__number",)
    list_select_related = ("order", "warehouse", "created_by")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PackForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("merchant", "order", "warehouse", "created_by")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            shipment = shipment_create(order=form.order, by=request.user)
        except (ValidationError, IllegalTransition, PermissionDenied) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
            return
        obj.__dict__.update(shipment.__dict__)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:  # refused: the message says why
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def log_addition(self, request, obj, message):
        if obj.pk is not None:
            super().log_addition(request, obj, message)
