"""Back office: customs product records (商品备案) of SKUs.

Submissions are read-only (what was sent, customs' answer as it arrived). An operator may
override a SKU's record — set it Recorded with a number, or revoke it (Rejected) — with a
mandatory reason, through ``catalog.services.records.product_record_override``: the move is
checked against ``RECORD_FLOW`` and leaves a ``ProductRecordEvent`` like every other move.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.forms import RecordOverrideForm
from catalog.models import SKU, ProductRecordEvent, ProductRecordSubmission
from catalog.services.records import product_record_override
from marketplace.admin import ReadOnlyAdminMixin
from marketplace.forms import form_add_service_errors
from marketplace.transitions import IllegalTransition


@admin.register(ProductRecordSubmission)
class ProductRecordSubmissionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sku", "merchant", "hs_code", "answer", "record_number", "created_at")
    list_filter = ("answer", "merchant")
    search_fields = ("sku__code", "guid", "record_number")
    list_select_related = ("sku", "merchant")
    readonly_fields = (
        "sku",
        "merchant",
        "guid",
        "hs_code",
        "gname",
        "origin_country",
        "submitted_by",
        "created_at",
        "sent_at",
        "answer",
        "answer_status",
        "answer_info",
        "record_number",
        "answered_at",
        "raw_answer",
        "sku_record",
    )
    exclude = ("answer_message",)

    @admin.display(description=gettext_lazy("raw answer"))
    def raw_answer(self, submission):
        raw = bytes(submission.answer_message or b"")
        return format_html("<pre>{}</pre>", raw.decode("utf-8", "replace")) if raw else "—"

    @admin.display(description=gettext_lazy("SKU's record"))
    def sku_record(self, submission):
        sku = submission.sku
        url = reverse("admin:catalog_productrecordsubmission_override", args=[sku.pk])
        return format_html(
            '{} {} · <a href="{}">{}</a>',
            sku.get_product_record_status_display(),
            sku.product_record_number,
            url,
            _("Override"),
        )

    def get_urls(self):
        return [
            path(
                "sku/<int:sku_pk>/override/",
                self.admin_site.admin_view(self.override_view),
                name="catalog_productrecordsubmission_override",
            ),
            *super().get_urls(),
        ]

    def override_view(self, request, sku_pk):
        sku = get_object_or_404(SKU.objects.select_related("product", "merchant"), pk=sku_pk)
        form = RecordOverrideForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                product_record_override(
                    sku=sku,
                    status=data["status"],
                    number=data["number"],
                    reason=data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            except IllegalTransition:
                form.add_error(None, _("The record already has this status."))
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    _("Product record of %(code)s set to %(status)s.")
                    % {"code": sku.code, "status": sku.get_product_record_status_display()},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:catalog_productrecordsubmission_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Override the product record of %(code)s") % {"code": sku.code},
            "sku": sku,
            "events": ProductRecordEvent.objects.filter(subject=sku).select_related("actor"),
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/catalog/record_override.html", context)
