"""Back office: shoppers' reports about listings, a queue for operators.

Upholding or dismissing a report goes through ``catalog.services.moderation`` (an event per
decision, the resolution kept); upholding can delist the product through its workflow.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.admin.products import reason_step
from catalog.forms import ReportResolutionForm, ResolutionForm
from catalog.models import ListingReport
from catalog.selectors.moderation import reports_queue
from catalog.services import moderation
from marketplace.admin import ReadOnlyAdminMixin

DECISIONS = {"uphold": gettext_lazy("Upheld"), "dismiss": gettext_lazy("Dismissed")}


class OpenFirstFilter(admin.SimpleListFilter):
    """Status filter whose default is the queue itself: open reports."""

    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*ListingReport.Status.choices, ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or ListingReport.Status.OPEN
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or ListingReport.Status.OPEN
        if value == "all":
            return queryset
        return queryset.filter(status=value)


@admin.register(ListingReport)
class ListingReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "product_link",
        "merchant_name",
        "reason",
        "status",
        "reporter",
        "handled_by",
    )
    list_filter = (OpenFirstFilter, "reason")
    search_fields = ("product__name_en", "product__name_zh_hans", "details", "reporter__email")
    actions = ["uphold_selected", "dismiss_selected"]
    fields = (
        "product_link",
        "merchant_name",
        "reason",
        "details",
        "reporter",
        "created_at",
        "status",
        "resolution",
        "handled_by",
        "handled_at",
        "history",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return reports_queue().prefetch_related("events__actor")

    @admin.display(description=gettext_lazy("product"))
    def product_link(self, report):
        url = reverse("admin:catalog_product_change", args=[report.product_id])
        return format_html('<a href="{}">{}</a>', url, report.product)

    @admin.display(description=gettext_lazy("merchant"))
    def merchant_name(self, report):
        return report.product.merchant

    @admin.display(description=gettext_lazy("History"))
    def history(self, report):
        events = list(report.events.all())
        if not events:
            return "—"
        return format_html_join(
            "",
            "<p>{} · {} · {} · {}</p>",
            (
                (
                    date_format(localtime(e.created_at), "Y-m-d H:i"),
                    DECISIONS.get(e.transition, e.transition),
                    e.actor,
                    e.reason,
                )
                for e in events
            ),
        )

    @admin.action(description=gettext_lazy("Uphold (optionally delist the product)"))
    def uphold_selected(self, request, queryset):
        return reason_step(
            self,
            request,
            queryset,
            title=_("Uphold: record the resolution"),
            form_class=ReportResolutionForm,
            apply=lambda report, data: moderation.report_uphold(
                report=report, by=request.user, resolution=data["reason"], delist=data["delist"]
            ),
        )

    @admin.action(description=gettext_lazy("Dismiss"))
    def dismiss_selected(self, request, queryset):
        return reason_step(
            self,
            request,
            queryset,
            title=_("Dismiss: record the resolution"),
            form_class=ResolutionForm,
            apply=lambda report, data: moderation.report_dismiss(
                report=report, by=request.user, resolution=data["reason"]
            ),
        )
