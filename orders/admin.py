"""Back office (/ops/) for orders: every order with filters (status, merchant, clearance
mode, date) and search by number, each order with its lines, allocations, refund requests
and event history inline; checkouts and allocations read-only. Orders change only through
the services (with their events and reasons), never by editing rows here: the one action
is answering a refund request (and refunding, with a reason, once ``order_refund`` is in).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from marketplace.admin import ReadOnlyAdminMixin
from marketplace.clearance_labels import mode_label
from marketplace.forms import form_error_messages
from orders.models import Allocation, Checkout, Order, OrderEvent, OrderLine, RefundRequest
from orders.order_forms import RefundForm
from orders.selectors import duties_view, event_label
from orders.services import order_refund_by_team, refund_request_approve, refund_request_decline


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = (
        "sku_code",
        "name_en",
        "name_zh_hans",
        "hs_code",
        "quantity",
        "unit_price",
        "unit_price_charged",
        "line_total",
        "duty",
        "refunded_quantity",
        "held",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("allocations__stock__warehouse")

    @admin.display(description=_("allocations"))
    def held(self, line):
        return (
            format_html_join(
                ", ",
                "{} × {} ({})",
                (
                    (a.quantity, a.stock.warehouse.code, a.get_status_display())
                    for a in line.allocations.all()
                ),
            )
            or "—"
        )


class RefundRequestInline(ReadOnlyInline):
    model = RefundRequest
    fields = (
        "created_at",
        "status",
        "amount",
        "reason",
        "decided_by",
        "decided_at",
        "decision_note",
    )
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "what", "from_state", "to_state", "actor", "reason")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("event"))
    def what(self, event):
        return event_label(event)


class ModeFilter(admin.SimpleListFilter):
    title = _("clearance")
    parameter_name = "mode"

    def lookups(self, request, model_admin):
        from marketplace.clearance import ClearanceMode

        return [(str(m), mode_label(m)) for m in ClearanceMode]

    def queryset(self, request, queryset):
        return queryset.filter(clearance_mode=self.value()) if self.value() else queryset


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea)


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/orders/order/change_form.html"
    list_display = (
        "number",
        "created_at",
        "merchant",
        "shopper",
        "status",
        "mode",
        "total_shown",
        "refunded_total",
        "accepted_at",
    )
    list_filter = ("status", ModeFilter, "merchant", "created_at")
    list_select_related = ("merchant", "user")
    search_fields = ("number", "checkout__number", "user__email")
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, RefundRequestInline, OrderEventInline]
    fieldsets = [
        (
            None,
            {
                "fields": (
                    "number",
                    "checkout_link",
                    "user",
                    "merchant",
                    "status",
                    "accepted_at",
                    "paid_at",
                    "created_at",
                )
            },
        ),
        (
            _("Money"),
            {
                "fields": (
                    "currency",
                    "goods_total",
                    "discount_total",
                    "shipping_total",
                    "shipping_discount",
                    "duty_total",
                    "total",
                    "refunded_total",
                    "listing_currency",
                    "fx_rates",
                )
            },
        ),
        (
            _("Shipping and customs"),
            {
                "fields": (
                    "warehouse",
                    "clearance_mode",
                    "customs_code",
                    "shipping_method",
                    "shipping",
                    "duties_shown",
                    "assessment",
                )
            },
        ),
        (_("Merchant's note"), {"fields": ("merchant_note",)}),
    ]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("orders.view_order") or request.user.has_perm(
            "orders.change_order"
        )

    def get_readonly_fields(self, request, obj=None):
        return [f for block in self.fieldsets for f in block[1]["fields"]]

    @admin.display(description=_("shopper"), ordering="user__email")
    def shopper(self, order):
        return order.user.email

    @admin.display(description=_("clearance"), ordering="clearance_mode")
    def mode(self, order):
        return mode_label(order.clearance_mode)

    @admin.display(description=_("total"), ordering="total")
    def total_shown(self, order):
        return f"{order.total} {order.currency}"

    @admin.display(description=_("checkout"))
    def checkout_link(self, order):
        url = reverse("admin:orders_checkout_change", args=[order.checkout_id])
        return format_html('<a href="{}">{}</a>', url, order.checkout.number)

    @admin.display(description=_("duties and taxes"))
    def duties_shown(self, order):
        duties = duties_view(order)
        rows = format_html_join(
            "",
            "<li>{} · {} · {}: {} {}</li>",
            (
                (line.sku_code, line.hs_code, tax.name, tax.amount.amount, tax.amount.currency)
                for line in duties.lines
                for tax in line.taxes
            ),
        )
        return format_html("<p>{}</p><ul>{}</ul>", duties.regime, rows)

    def get_urls(self):
        return [
            path(
                "<int:pk>/refund-requests/<int:request_pk>/decline/",
                self.admin_site.admin_view(require_POST(self.decline_view)),
                name="orders_order_decline_refund_request",
            ),
            path(
                "<int:pk>/refund-requests/<int:request_pk>/approve/",
                self.admin_site.admin_view(require_POST(self.approve_view)),
                name="orders_order_approve_refund_request",
            ),
            path(
                "<int:pk>/refund/",
                self.admin_site.admin_view(require_POST(self.refund_view)),
                name="orders_order_refund",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        order = self.get_object(request, object_id)
        if order is not None and request.user.has_perm("orders.change_order"):
            extra["open_requests"] = [
                (
                    r,
                    reverse("admin:orders_order_decline_refund_request", args=[order.pk, r.pk]),
                    reverse("admin:orders_order_approve_refund_request", args=[order.pk, r.pk]),
                )
                for r in order.refund_requests.filter(status=RefundRequest.Status.OPEN)
            ]
            extra["decision_form"] = DecisionForm()
            if order.paid_at is not None and order.refunded_total < order.total:
                extra["refund_url"] = reverse("admin:orders_order_refund", args=[order.pk])
                extra["refund_form"] = RefundForm()
                extra["refundable"] = order.total - order.refunded_total
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def decline_view(self, request, pk: int, request_pk: int):
        if not request.user.has_perm("orders.change_order"):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=pk)
        refund = get_object_or_404(RefundRequest, order=order, pk=request_pk)
        form = DecisionForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form_error_messages(form))
            refund_request_decline(
                request=refund, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, gettext("The refund request is declined."))
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[pk]))

    def _back(self, pk: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[pk]))

    def approve_view(self, request, pk: int, request_pk: int):
        if not request.user.has_perm("orders.change_order"):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=pk)
        refund = get_object_or_404(RefundRequest, order=order, pk=request_pk)
        try:
            refund_request_approve(request=refund, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, gettext("Refunded as the shopper asked."))
        return self._back(pk)

    def refund_view(self, request, pk: int):
        """An operator refunds part or the rest of a paid order, with a reason."""
        if not request.user.has_perm("orders.change_order"):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=pk)
        form = RefundForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form_error_messages(form))
            order_refund_by_team(
                order=order,
                by=request.user,
                amount=form.cleaned_data.get("amount"),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, gettext("Refund made: the money goes back to the card."))
        return self._back(pk)


@admin.register(Checkout)
class CheckoutAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Checkouts as placed: the orders they split into, the frozen address, the payer's
    masked identity (never the number), expiry. Read-only."""

    list_display = (
        "number",
        "created_at",
        "user",
        "status",
        "total",
        "currency",
        "expires_at",
        "paid_at",
    )
    list_filter = ("status", "currency", "created_at")
    search_fields = ("number", "user__email", "email")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    fields = (
        "number",
        "user",
        "email",
        "language",
        "status",
        "currency",
        "total",
        "fx_rates",
        "address",
        "payer_name",
        "payer_id_masked",
        "expires_at",
        "paid_at",
        "created_at",
        "orders_list",
    )
    readonly_fields = fields

    @admin.display(description=_("orders"))
    def orders_list(self, checkout):
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:orders_order_change", args=[o.pk]), o.number)
                for o in checkout.orders.all()
            ),
        )


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Stock held for order lines, per warehouse stock row. Read-only: allocations change
    with the order (placing, paying, expiry, cancellation, shipping)."""

    list_display = (
        "id",
        "order_number",
        "sku_code",
        "warehouse",
        "quantity",
        "status",
        "expires_at",
        "updated_at",
    )
    list_filter = ("status", "stock__warehouse")
    search_fields = ("line__order__number", "line__sku_code")
    list_select_related = ("line__order", "stock__warehouse")

    @admin.display(description=_("order"), ordering="line__order__number")
    def order_number(self, allocation):
        return allocation.line.order.number

    @admin.display(description=_("SKU code"))
    def sku_code(self, allocation):
        return allocation.line.sku_code

    @admin.display(description=_("warehouse"))
    def warehouse(self, allocation):
        return allocation.stock.warehouse.code
