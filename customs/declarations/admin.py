"""Back-office screens for declarations (Customs declarations in the back office): every
order's declaration with its documents, every sealed message and every receipt as raw XML
and pretty-printed, tax-bill checks, real-time requests; operator actions go through the
services: send a dead or stopped document again, cancel a released list (CEB623), declare a
return (CEB625). Rows are never edited here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from lxml import etree

from customs.ceb.schema import parse_xml
from marketplace.admin import ReadOnlyAdminMixin

from . import services
from .models import (
    Declaration,
    OrderDeclaration,
    RealtimeSession,
    Receipt,
    SentMessage,
    TaxBillCheck,
)


def pretty(data) -> str:
    """XML as an operator reads it: indented, UTF-8 (the raw bytes are shown beside it)."""
    if not data:
        return "-"
    raw = bytes(data)
    try:
        text = etree.tostring(parse_xml(raw), pretty_print=True, encoding="unicode")
    except etree.XMLSyntaxError:
        text = raw.decode("utf-8", "replace")
    return format_html('<pre class="xml" style="white-space:pre-wrap">{}</pre>', text)


def raw(data) -> str:
    if not data:
        return "-"
    return format_html(
        '<textarea readonly rows="6" style="width:100%;font-family:monospace">{}</textarea>',
        bytes(data).decode("utf-8", "replace"),
    )


class DocumentInline(admin.TabularInline):
    model = Declaration
    extra = 0
    can_delete = False
    fields = ("link", "kind", "state", "return_status", "return_info", "attempts", "sent_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("document"))
    def link(self, obj):
        url = reverse("admin:declarations_declaration_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.doc_key)


class TaxBillInline(admin.TabularInline):
    model = TaxBillCheck
    extra = 0
    can_delete = False
    fields = ("tax_no", "customs_total", "assessed_total", "differs", "received_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OrderDeclaration)
class OrderDeclarationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/declarations/orderdeclaration/change_form.html"
    list_display = ("order", "status", "logistics_no", "cop_no", "invt_no", "created_at")
    list_filter = ("status",)
    search_fields = ("order__number", "logistics_no", "cop_no", "invt_no")
    list_select_related = ("order",)
    date_hierarchy = "created_at"
    fields = (
        "order",
        "status",
        "reason",
        "mismatch_table",
        "profile",
        "logistics_no",
        "cop_no",
        "invt_no",
        "payment",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [DocumentInline, TaxBillInline]

    @admin.display(description=_("mismatches"))
    def mismatch_table(self, obj):
        if not obj.mismatches:
            return "-"
        rows = format_html_join(
            "",
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{} ({})</td></tr>",
            (
                (m["field"], m["expected"], m["actual"], m["en"], m["zh_hans"])
                for m in obj.mismatches
            ),
        )
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            gettext("Field"),
            gettext("Expected"),
            gettext("Found"),
            gettext("Why"),
            rows,
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/act/",
                self.admin_site.admin_view(self.act_view),
                name="declarations_orderdeclaration_act",
            ),
            *super().get_urls(),
        ]

    def act_view(self, request, pk: int):
        """POST: cancel the released list (CEB623) or declare a return (CEB625)."""
        if request.method != "POST" or not self.has_view_permission(request):
            raise PermissionDenied
        file = get_object_or_404(OrderDeclaration, pk=pk)
        action = {"cancel": services.declaration_cancel, "return": services.declaration_return}.get(
            request.POST.get("action", "")
        )
        if action is None:
            messages.error(request, gettext("Choose cancel or return."))
        else:
            try:
                action(file=file, reason=request.POST.get("reason", ""), by=request.user)
                messages.success(request, gettext("Sent to customs."))
            except services.NotPossible as exc:
                messages.error(request, str(exc))
        return HttpResponseRedirect(
            reverse("admin:declarations_orderdeclaration_change", args=[pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        extra["act_url"] = reverse("admin:declarations_orderdeclaration_act", args=[object_id])
        return super().change_view(request, object_id, form_url, extra_context=extra)


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("doc_key", "kind", "state", "return_status", "attempts", "sent_at", "file")
    list_filter = ("state", "kind")
    search_fields = ("doc_key", "guid", "file__order__number")
    list_select_related = ("file__order",)
    actions = ["resend"]
    fields = (
        "file",
        "kind",
        "doc_key",
        "guid",
        "state",
        "return_status",
        "return_info",
        "return_time",
        "attempts",
        "last_error",
        "sent_at",
        "message",
        "receipt_list",
        "document_pretty",
        "document_raw",
    )
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("document"))
    def document_pretty(self, obj):
        return pretty(obj.document)

    @admin.display(description=_("as stored"))
    def document_raw(self, obj):
        return raw(obj.document)

    @admin.display(description=_("receipts"))
    def receipt_list(self, obj):
        rows = obj.receipts.order_by("received_at", "pk")
        if not rows:
            return "-"
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308 - a constant
            '<a href="{}">{} {}</a> — {}',
            (
                (
                    reverse("admin:declarations_receipt_change", args=[r.pk]),
                    r.message_type,
                    r.received_at.strftime("%Y-%m-%d %H:%M:%S"),
                    r.get_outcome_display(),
                )
                for r in rows
            ),
        )

    @admin.action(description=_("Send the selected documents again"))
    def resend(self, request, queryset):
        done = 0
        for row in queryset:
            try:
                services.declaration_resend(declaration=row, by=request.user)
                done += 1
            except services.NotPossible as exc:
                messages.error(request, f"{row.doc_key}: {exc}")
        if done:
            messages.success(
                request, gettext("%(n)s document(s) will be sent again.") % {"n": done}
            )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_view_permission(request):
            actions.pop("resend", None)
        return actions


@admin.register(SentMessage)
class SentMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("cop_msg_id", "message_type", "documents", "key_name", "transport", "sent_at")
    list_filter = ("message_type", "transport")
    search_fields = ("cop_msg_id", "message_guid")
    fields = (
        "cop_msg_id",
        "message_type",
        "message_guid",
        "documents",
        "key_name",
        "transport",
        "sent_at",
        "message_pretty",
        "envelope_raw",
    )
    readonly_fields = fields

    @admin.display(description=_("signed message"))
    def message_pretty(self, obj):
        return pretty(obj.message)

    @admin.display(description=_("envelope"))
    def envelope_raw(self, obj):
        return raw(obj.envelope)


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("received_at", "message_type", "cop_msg_id", "outcome", "note")
    list_filter = ("outcome", "message_type")
    search_fields = ("cop_msg_id", "note")
    date_hierarchy = "received_at"
    fields = (
        "received_at",
        "message_type",
        "cop_msg_id",
        "outcome",
        "note",
        "message_pretty",
        "envelope_raw",
    )
    readonly_fields = fields

    @admin.display(description=_("message"))
    def message_pretty(self, obj):
        return pretty(obj.message)

    @admin.display(description=_("envelope as received"))
    def envelope_raw(self, obj):
        return raw(obj.envelope)


@admin.register(TaxBillCheck)
class TaxBillCheckAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "tax_no",
        "invt_no",
        "customs_total",
        "assessed_total",
        "differs",
        "received_at",
    )
    list_filter = ("differs",)
    search_fields = ("tax_no", "invt_no", "file__order__number")
    fields = (
        "file",
        "tax_no",
        "invt_no",
        "customs_total",
        "assessed_total",
        "differs",
        "line_table",
    )
    readonly_fields = fields

    @admin.display(description=_("lines"))
    def line_table(self, obj):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    line["gnum"],
                    tax["tax"],
                    tax["customs"],
                    tax["ours"],
                    "≠" if tax["differs"] else "=",
                )
                for line in obj.lines
                for tax in line["taxes"]
            ),
        )
        return format_html(
            "<table><tr><th>gnum</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr>{}</table>",
            gettext("Tax"),
            gettext("Customs"),
            gettext("Checkout"),
            rows,
        )


@admin.register(RealtimeSession)
class RealtimeSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("session_id", "order_no", "status", "asked_at", "uploaded_at")
    list_filter = ("status",)
    search_fields = ("session_id", "order_no")
    fields = (
        "session_id",
        "order_no",
        "service_time",
        "status",
        "answer",
        "asked_at",
        "uploaded_at",
    )
    readonly_fields = fields
