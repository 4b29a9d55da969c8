"""Back office for the shipping network: carriers, methods (with their routes as one
table), zones, routes (every rate on one screen) and merchants' free-shipping terms.

Writes go through ``logistics.shipping.services``: each edit is checked against the whole
network (the complaint is shown on the form, nothing is saved) and every process reloads
the network once it commits. Carriers and methods are switched off, not deleted: orders
keep naming the method they shipped by.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from marketplace.admin import ReadOnlyAdminMixin
from marketplace.currency import money_text
from marketplace.i18n import page_language
from marketplace.money import Money
from marketplace.selectors import fx_rates_current

from . import services
from .forms import (
    ROUTE_FIELDS,
    NetworkCheckedForm,
    ParcelLineFormSet,
    RouteForm,
    RouteInlineForm,
    RouteInlineFormSet,
    TryShippingForm,
)
from .models import Carrier, MerchantShipping, ShippingMethod, ShippingRoute, ShippingZone
from .regions import place_name
from .selectors import ShippingQuote, reason_text, shipping_options


def option_rows(result: ShippingQuote) -> dict:
    """A quote shaped for the try-shipping page: amounts as text in the page language."""
    language = page_language()

    def text(money: Money) -> str:
        return money_text(money.amount, money.currency, language)

    return {
        "message": result.message,
        "refused": result.refused,
        "refused_text": [(code, reason_text(why)) for code, why in result.refused],
        "options": [
            {
                "carrier_name": o.carrier_name,
                "method_name": o.method_name,
                "kind_label": ShippingMethod.Kind(o.kind).label,
                "weights": o.weights,
                "list_price_text": text(o.list_price),
                "price_text": text(o.price),
                "shopper_text": text(o.price_shopper),
                "free_shipping": o.free_shipping,
                "earliest": o.earliest,
                "latest": o.latest,
                "min_days": o.min_days,
                "max_days": o.max_days,
                "working_days": o.working_days,
            }
            for o in result.options
        ],
    }


class NetworkAdmin(admin.ModelAdmin):
    """Saves through the services; deleting is for routes and unused zones only."""

    form = NetworkCheckedForm
    save_on_top = True

    def save_model(self, request, obj, form, change):
        services.network_save(obj=obj, by=request.user)

    def delete_model(self, request, obj):
        services.network_delete(obj=obj, by=request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # each deletion goes through the service
        return actions

    def has_delete_permission(self, request, obj=None):
        return False


class ZoneChoicesOnce:
    """Zone drop-downs read the zones once per request, however many rows show them."""

    zone_fields = ("origin_zone", "destination_zone")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in self.zone_fields and field is not None:
            choices = getattr(request, "_shipping_zone_choices", None)
            if choices is None:
                choices = list(field.choices)
                request._shipping_zone_choices = choices
            field.choices = choices
        return field


@admin.register(Carrier)
class CarrierAdmin(NetworkAdmin, TranslationAdmin):
    list_display = ("code", "name", "website", "method_count", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name_en", "name_zh_hans")
    fields = ("code", "name", "website", "is_active")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_methods=Count("methods"))

    @admin.display(description=_("methods"), ordering="_methods")
    def method_count(self, obj):
        return obj._methods

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()


class RouteInline(ZoneChoicesOnce, admin.TabularInline):
    model = ShippingRoute
    form = RouteInlineForm
    formset = RouteInlineFormSet
    fields = ROUTE_FIELDS
    extra = 1
    verbose_name = _("route and rate")
    verbose_name_plural = _("routes and rates (prices in the method's currency)")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("method", "origin_zone", "destination_zone")
        )

    def has_delete_permission(self, request, obj=None):
        return True


@admin.register(ShippingMethod)
class ShippingMethodAdmin(NetworkAdmin, TranslationAdmin):
    list_display = (
        "code",
        "name",
        "carrier",
        "kind",
        "currency",
        "volumetric_divisor",
        "max_weight_kg",
        "free_shipping_eligible",
        "route_count",
        "is_active",
    )
    list_filter = ("kind", "carrier", "currency", "free_shipping_eligible", "is_active")
    search_fields = ("code", "name_en", "name_zh_hans", "carrier__code")
    list_select_related = ("carrier",)
    fieldsets = (
        (None, {"fields": ("carrier", "code", "name", "description", "kind", "is_active")}),
        (
            _("Pricing"),
            {
                "fields": (
                    "currency",
                    "volumetric_divisor",
                    "max_weight_kg",
                    "free_shipping_eligible",
                    "position",
                )
            },
        ),
    )
    inlines = [RouteInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_routes=Count("routes"))

    @admin.display(description=_("routes"), ordering="_routes")
    def route_count(self, obj):
        return obj._routes

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def save_formset(self, request, form, formset, change):
        # The formset looked for ties across all its rows (RouteInlineFormSet.clean).
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.network_delete(obj=obj, by=request.user)
        for obj in instances:
            services.network_save(obj=obj, by=request.user, checked_together=True)


@admin.register(ShippingZone)
class ShippingZoneAdmin(NetworkAdmin, TranslationAdmin):
    list_display = ("code", "name", "members_short", "place_count", "route_count")
    search_fields = ("code", "name_en", "name_zh_hans", "members")
    fields = ("code", "name", "members", "places")
    readonly_fields = ("places",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _from=Count("routes_from", distinct=True), _to=Count("routes_to", distinct=True)
            )
        )

    @admin.display(description=_("members"))
    def members_short(self, obj):
        codes = obj.member_list
        return (
            " ".join(codes) if len(codes) <= 8 else f"{' '.join(codes[:7])} … (+{len(codes) - 7})"
        )

    @admin.display(description=_("places"))
    def place_count(self, obj):
        return len(obj.member_list)

    @admin.display(description=_("routes"))
    def route_count(self, obj):
        return obj._from + obj._to

    @admin.display(description=_("what the codes mean"))
    def places(self, obj):
        language = get_language() or "en"
        return ", ".join(f"{code} {place_name(code, language)}" for code in obj.member_list)

    def get_readonly_fields(self, request, obj=None):
        return ("code", "places") if obj else ("places",)

    def has_delete_permission(self, request, obj=None):
        # A zone no route uses may go; the database protects the others.
        return obj is not None and not obj.routes_from.exists() and not obj.routes_to.exists()


@admin.register(ShippingRoute)
class ShippingRouteAdmin(ZoneChoicesOnce, NetworkAdmin):
    """Every route with its rate table on one screen; filters by method and zones; and
    "try shipping", which prices a parcel the way checkout will."""

    form = RouteForm
    change_list_template = "admin/logistics/shippingroute/change_list.html"
    list_display = (
        "method",
        "origin_zone",
        "origin_kind",
        "destination_zone",
        "window",
        "first_weight_kg",
        "first_weight_price",
        "step_kg",
        "step_price",
        "minimum_charge",
        "currency",
        "is_active",
    )
    list_filter = ("method", "origin_zone", "origin_kind", "destination_zone", "is_active")
    list_select_related = ("method", "origin_zone", "destination_zone")
    search_fields = ("method__code", "origin_zone__code", "destination_zone__code")
    fieldsets = (
        (None, {"fields": ("method", "origin_zone", "origin_kind", "destination_zone")}),
        (_("Delivery window"), {"fields": ("min_days", "max_days", "working_days")}),
        (
            _("Rate table (in the method's currency)"),
            {
                "fields": (
                    "first_weight_kg",
                    "first_weight_price",
                    "step_kg",
                    "step_price",
                    "minimum_charge",
                )
            },
        ),
        (None, {"fields": ("is_active",)}),
    )

    @admin.display(description=_("delivery (days)"))
    def window(self, obj):
        days = f"{obj.min_days}–{obj.max_days}"
        return f"{days} ({_('working days')})" if obj.working_days else days

    @admin.display(description=_("currency"), ordering="method__currency")
    def currency(self, obj):
        return obj.method.currency_id

    def has_delete_permission(self, request, obj=None):
        return True

    def get_urls(self):
        return [
            path(
                "try/",
                self.admin_site.admin_view(self.try_shipping_view),
                name="logistics_try_shipping",
            ),
            *super().get_urls(),
        ]

    def try_shipping_view(self, request):
        """Price a parcel against the network and FX rates in force (nothing is saved)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        quote = None
        if request.method == "POST":
            form = TryShippingForm(request.POST)
            lines = ParcelLineFormSet(request.POST, prefix="lines")
            if form.is_valid() and lines.is_valid():
                quote = self._try(form, lines)
        else:
            form = TryShippingForm()
            lines = ParcelLineFormSet(prefix="lines")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Try shipping"),
            "form": form,
            "lines": lines,
            "quote": quote,
        }
        return TemplateResponse(request, "admin/logistics/try_shipping.html", context)

    @staticmethod
    def _try(form, lines) -> dict | None:
        parcel = [line for f in lines.forms if (line := f.parcel_line()) is not None]
        if not parcel:
            form.add_error(None, gettext("Give at least one line a weight."))
            return None
        data = form.cleaned_data
        threshold = data.get("free_shipping_threshold")
        result = shipping_options(
            warehouse_id=data["warehouse"].pk,
            country=data["country"],
            province=data.get("province") or "",
            postal_code=data.get("postal_code") or "",
            lines=parcel,
            goods_subtotal=Money(data["goods_subtotal"], data["subtotal_currency"]),
            free_shipping_threshold=(
                None if threshold is None else Money(threshold, data["threshold_currency"])
            ),
            currency=data["currency"],
            fx_rates=fx_rates_current(),
            ship_on=timezone.localdate(),
        )
        return option_rows(result)


@admin.register(MerchantShipping)
class MerchantShippingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Merchants set their free-shipping threshold in the seller portal; operators read it."""

    list_display = ("merchant", "free_shipping_threshold", "currency", "updated_at", "updated_by")
    list_filter = ("currency",)
    search_fields = ("merchant__name_en", "merchant__name_zh_hans", "merchant__slug")
    list_select_related = ("merchant", "updated_by")
