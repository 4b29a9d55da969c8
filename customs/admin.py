"""Back-office screens (Django admin at /<lang>/ops/): the duty & tax rate tables, the buyers'
quota ledgers (identity numbers masked), duty assessments, and a "try a quote" form.

Every write goes through ``customs.services``: a rate row is checked against the whole rate
data before it is saved (the engine's complaint is shown, nothing is saved), and the cached
RateBook is dropped once the edit commits.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from marketplace.admin import ReadOnlyAdminMixin
from marketplace.i18n import pick
from marketplace.services import personal_data_reveal
from marketplace.transitions import IllegalTransition

from . import selectors, services
from .codec import message_text, tax_kind_name
from .engine import EngineError, regime_name
from .forms import QuoteLineFormSet, QuoteTryForm, RateBookCheckedForm, RegimeForm
from .identity import is_valid_id_number, normalise_id_number
from .models import (
    BuyerIdentity,
    DutyAssessment,
    HsRate,
    PostalCategory,
    QuotaEntry,
    QuotaLedger,
    Regime,
    VatRate,
)
from .percent import rate_percent
from .presenters import engine_error_fields, quote_view
from .profiles import admin as profiles_admin  # noqa: F401 - registers the profile screens

# Who may read the buyers' yearly quota (the ledgers, and the allowance in "try a quote").
LEDGER_VIEW = "customs.view_quotaledger"

# --- rate tables ---------------------------------------------------------------------------


def rate_column(model, name: str):
    """A change-list column showing the rate field ``name`` as a percentage (``13%``), not as
    the stored fraction (``0.130000``)."""

    @admin.display(description=model._meta.get_field(name).verbose_name, ordering=name)
    def column(obj):
        value = getattr(obj, name)
        return None if value is None else rate_percent(value)  # None: the admin's "-"

    column.__name__ = f"{name}_percent"
    return column


class RateTableAdmin(admin.ModelAdmin):
    """Saves and deletes through the services; no bulk delete (each deletion is checked)."""

    form = RateBookCheckedForm
    save_on_top = True

    def save_model(self, request, obj, form, change):
        services.rate_data_save(obj=obj, by=request.user)

    def delete_model(self, request, obj):
        services.rate_data_delete(obj=obj, by=request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        # Refuse before Django's confirmation flow deletes: the operator learns why.
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and request.method == "POST":
            try:
                services.ratebook_check(delete=obj)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                opts = self.opts
                return HttpResponseRedirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
                )
        return super().delete_view(request, object_id, extra_context)


@admin.register(Regime)
class RegimeAdmin(RateTableAdmin):
    form = RegimeForm
    change_list_template = "admin/customs/regime/change_list.html"
    list_display = (
        "code",
        "name",
        "calculator",
        "destinations_short",
        "modes",
        "currency",
        "effective_from",
        "effective_to",
        "transaction_limit",
        "yearly_limit",
    )
    list_filter = ("calculator", "currency", "rate_table")
    search_fields = ("code", "destinations")
    fieldsets = (
        (None, {"fields": ("code", "calculator", "effective_from", "effective_to", "note")}),
        (_("Where it applies"), {"fields": ("destinations", "modes", "currency", "rate_table")}),
        (
            _("Limits"),
            {
                "fields": (
                    "transaction_limit",
                    "yearly_limit",
                    "limit_basis",
                    "over_limit_regime",
                    "indivisible_over_limit",
                    "waiver_threshold",
                )
            },
        ),
        (
            _("Arithmetic"),
            {
                "fields": (
                    "vat_kind",
                    "tax_factor",
                    "base_includes_freight",
                    "excise_allowed",
                    "requires_product_record",
                    "low_value_duty",
                    "flat_duty_amount",
                    "collected_at_checkout",
                    "notice",
                )
            },
        ),
    )

    @admin.display(description=_("name"))
    def name(self, obj):
        names = regime_name(obj.code)
        return pick(names["en"], names["zh-hans"])

    @admin.display(description=_("destinations"))
    def destinations_short(self, obj):
        codes = obj.destinations.split()
        return (
            " ".join(codes) if len(codes) <= 4 else f"{' '.join(codes[:3])} … (+{len(codes) - 3})"
        )

    def get_urls(self):
        return [
            path(
                "try-quote/",
                self.admin_site.admin_view(self.try_quote_view),
                name="customs_try_quote",
            ),
            *super().get_urls(),
        ]

    def try_quote_view(self, request):
        """Price an order the way the checkout will, and show the full breakdown."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        language = get_language() or "en"
        result_view = None
        if request.method == "POST":
            form = QuoteTryForm(request.POST)
            lines = QuoteLineFormSet(request.POST, prefix="lines")
            if form.is_valid() and lines.is_valid():
                result_view = self._try_quote(form, lines, language, user=request.user)
        else:
            form = QuoteTryForm()
            lines = QuoteLineFormSet(prefix="lines")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Try a quote"),
            "form": form,
            "lines": lines,
            "quote": result_view,
        }
        return TemplateResponse(request, "admin/customs/try_quote.html", context)

    @staticmethod
    def _try_quote(form: QuoteTryForm, lines, language: str, *, user) -> dict | None:
        items = [
            item
            for index, line in enumerate(lines.forms)
            if (item := line.line_item(index)) is not None
        ]
        if not items:
            form.add_error(None, gettext("Enter at least one line with an HS code."))
            return None
        data = form.cleaned_data
        order_date = data.get("order_date") or timezone.localdate()
        # The yearly allowance is ledger data: only an operator who may read the ledgers
        # sees it here; for anyone else the number changes nothing (as in the public quote).
        id_number = (data.get("id_number") or None) if user.has_perm(LEDGER_VIEW) else None
        try:
            result = services.duty_quote(
                destination=data["destination"],
                mode=data["mode"],
                lines=items,
                currency=data.get("currency") or None,
                id_number=id_number,
                order_date=order_date,
                **form.amounts(),
            )
        except EngineError as exc:
            fields = engine_error_fields(
                exc, currencies=[item.currency for item in items], language=language
            )
            for errors in fields.values():
                form.add_error(None, errors)
            return None
        has_id = bool(id_number) and result.yearly_remaining is not None
        return quote_view(
            result,
            language=language,
            order_date=order_date,
            yearly_limit=selectors.quota_limit(year=order_date.year) if has_id else None,
            show_yearly=has_id,
        )


@admin.register(HsRate)
class HsRateAdmin(RateTableAdmin):
    list_display = (
        "table",
        "hs_prefix_display",
        "flag",
        rate_column(HsRate, "duty_rate"),
        rate_column(HsRate, "vat_rate"),
        rate_column(HsRate, "ct_rate"),
        "postal_category",
        "excise",
        "note",
    )
    list_filter = ("table", "flag", "excise", "postal_category")
    search_fields = ("hs_prefix", "note")
    search_help_text = _(
        "Digits: the rows starting with them and the rows that apply to that HS code. "
        "Words: searched in the notes."
    )
    fields = (
        "table",
        "hs_prefix",
        "flag",
        "duty_rate",
        "vat_rate",
        "ct_rate",
        "postal_category",
        "excise",
        "note",
    )

    @admin.display(description=_("HS prefix"), ordering="hs_prefix")
    def hs_prefix_display(self, obj):
        return obj.hs_prefix or gettext("(default)")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isascii() and term.isdigit() and len(term) <= 10:
            # A prefix typed, or a whole HS code: every row the longest-prefix match may pick.
            prefixes = [term[:n] for n in range(len(term) + 1)]
            return (
                queryset.filter(Q(hs_prefix__startswith=term) | Q(hs_prefix__in=prefixes)),
                False,
            )
        return super().get_search_results(request, queryset, search_term)


@admin.register(PostalCategory)
class PostalCategoryAdmin(RateTableAdmin, TranslationAdmin):
    list_display = ("code", rate_column(PostalCategory, "rate"), "description")
    search_fields = ("code", "description_en", "description_zh_hans")


@admin.register(VatRate)
class VatRateAdmin(RateTableAdmin):
    list_display = (
        "country",
        rate_column(VatRate, "rate"),
        "effective_from",
        "effective_to",
        "note",
    )
    list_filter = ("country",)
    search_fields = ("country",)


# --- quota ledgers -------------------------------------------------------------------------


class QuotaEntryInline(admin.TabularInline):
    model = QuotaEntry
    fields = ("year", "kind", "amount", "reference", "restore_key", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at", "-id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RevealForm(forms.Form):
    purpose = forms.CharField(
        label=_("Why do you need the full number?"),
        max_length=200,
        help_text=_("Recorded with your name in the personal data access log."),
    )


@admin.register(BuyerIdentity)
class BuyerIdentityAdmin(admin.ModelAdmin):
    """Masked and not editable (shoppers save their identities themselves); deletable, so
    an account can be deleted with its identities."""

    list_display = ("name", "id_masked", "user", "created_at")
    fields = ("user", "name", "id_masked", "created_at")
    readonly_fields = fields
    search_fields = ("user__email",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QuotaLedger)
class QuotaLedgerAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: ledgers are written by the checkout through the quota services."""

    change_form_template = "admin/customs/quotaledger/change_form.html"
    list_display = ("id_masked", "used_this_year", "created_at", "updated_at")
    fields = ("id_masked", "years", "created_at", "updated_at")
    readonly_fields = fields
    inlines = [QuotaEntryInline]
    search_fields = ("entries__reference",)
    search_help_text = _("A full identity number, or an order reference.")

    def get_queryset(self, request):
        year = timezone.localdate().year
        this_year = Q(entries__year=year)
        return (
            super()
            .get_queryset(request)
            .annotate(
                used_year=Coalesce(
                    Sum("entries__amount", filter=this_year & Q(entries__kind="usage")),
                    Value(Decimal(0)),
                )
                - Coalesce(
                    Sum("entries__amount", filter=this_year & Q(entries__kind="restore")),
                    Value(Decimal(0)),
                )
            )
        )

    @admin.display(description=_("used this year (CNY)"), ordering="used_year")
    def used_this_year(self, obj):
        return obj.used_year

    @admin.display(description=_("per year (CNY)"))
    def years(self, obj):
        rows = selectors.quota_years(ledger=obj)
        if not rows:
            return "-"
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            gettext("year"),
            gettext("used"),
            gettext("restored"),
            gettext("counted"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((row["year"], row["used"], row["restored"], row["net"]) for row in rows),
            ),
        )

    def get_search_results(self, request, queryset, search_term):
        number = normalise_id_number(search_term)
        if is_valid_id_number(number):
            # The number is only stored encrypted: look it up by its digest.
            return queryset.filter(id_digest=selectors.quota_digest(number)), False
        return super().get_search_results(request, queryset, search_term)

    def get_urls(self):
        return [
            path(
                "<int:pk>/reveal/",
                self.admin_site.admin_view(self.reveal_view),
                name="customs_quotaledger_reveal",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        extra["reveal_url"] = reverse("admin:customs_quotaledger_reveal", args=[object_id])
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def reveal_view(self, request, pk: int):
        """Show the full identity number once, for a stated purpose (audited)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        ledger = get_object_or_404(QuotaLedger, pk=pk)
        number = None
        if request.method == "POST":
            form = RevealForm(request.POST)
            if form.is_valid():
                number = personal_data_reveal(
                    obj=ledger,
                    field="id_number",
                    by=request.user,
                    purpose=form.cleaned_data["purpose"],
                )
        else:
            form = RevealForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": ledger,
            "title": gettext("Identity number"),
            "form": form,
            "number": number,
        }
        return TemplateResponse(request, "admin/customs/quotaledger/reveal.html", context)


# --- assessments ---------------------------------------------------------------------------


class DiffersFilter(admin.SimpleListFilter):
    title = _("differs from estimate")
    parameter_name = "differs"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(differs_from_estimate=True)
        if self.value() == "no":
            return queryset.filter(differs_from_estimate=False)
        return queryset


@admin.register(DutyAssessment)
class DutyAssessmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only figures; operators recompute or freeze them through the services."""

    change_form_template = "admin/customs/dutyassessment/change_form.html"
    list_display = (
        "id",
        "reference",
        "status",
        "regime_code",
        "tax_total",
        "currency",
        "blocked",
        "differs_from_estimate",
        "estimate_link",
        "created_at",
        "computed_at",
    )
    list_filter = (DiffersFilter, "status", "blocked", "regime_code")
    search_fields = ("reference",)
    list_select_related = ("estimate",)
    date_hierarchy = "created_at"
    actions = ["recompute_selected", "freeze_selected"]
    fields = (
        "reference",
        "status",
        "estimate_link",
        "differs_from_estimate",
        "regime_code",
        "currency",
        "tax_total",
        "blocked",
        "error",
        "engine_version",
        "ratebook_version",
        "buyer_year_to_date",
        "fx_rates",
        "attempts",
        "created_at",
        "computed_at",
        "frozen_at",
    )
    readonly_fields = fields

    @admin.display(description=_("made from estimate"))
    def estimate_link(self, obj):
        if obj.estimate_id is None:
            return "-"
        url = reverse("admin:customs_dutyassessment_change", args=[obj.estimate_id])
        return format_html('<a href="{}">#{}</a>', url, obj.estimate_id)

    def get_urls(self):
        return [
            path(
                "<int:pk>/lifecycle/",
                self.admin_site.admin_view(self.lifecycle_view),
                name="customs_dutyassessment_lifecycle",
            ),
            *super().get_urls(),
        ]

    def lifecycle_view(self, request, pk: int):
        """POST: recompute or freeze one assessment (the buttons of its page)."""
        if request.method != "POST" or not self.has_view_permission(request):
            raise PermissionDenied
        assessment = get_object_or_404(DutyAssessment, pk=pk)
        action = {
            "recompute": services.duty_assessment_recompute,
            "freeze": services.duty_assessment_freeze,
        }.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, gettext("Choose recompute or freeze."))
        else:
            try:
                action(assessment=assessment, by=request.user)
                messages.success(request, gettext("Done."))
            except IllegalTransition:
                messages.error(request, gettext("This is not possible in the current state."))
        return HttpResponseRedirect(
            reverse("admin:customs_dutyassessment_change", args=[assessment.pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            extra["lifecycle_url"] = reverse(
                "admin:customs_dutyassessment_lifecycle", args=[obj.pk]
            )
            language = get_language() or "en"
            extra["breakdown"] = _stored_breakdown(obj.result, language)
            extra["estimate_breakdown"] = (
                _stored_breakdown(obj.estimate.result, language) if obj.estimate else None
            )
            extra["events"] = obj.events.select_related("actor")
            extra["finals"] = obj.finals.all()
            extra["can_recompute"] = services.ASSESSMENT_FLOW.can(obj, "recompute")
            extra["can_freeze"] = services.ASSESSMENT_FLOW.can(obj, "freeze")
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _run(self, request, queryset, action, done_message):
        done = 0
        for assessment in queryset:
            try:
                action(assessment=assessment, by=request.user)
                done += 1
            except IllegalTransition:
                messages.warning(
                    request,
                    gettext("Assessment #%(id)s is %(status)s: not possible now.")
                    % {"id": assessment.pk, "status": assessment.get_status_display()},
                )
        if done:
            messages.success(request, done_message(done))

    @admin.action(description=_("Recompute the selected assessments"))
    def recompute_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            services.duty_assessment_recompute,
            lambda n: (
                ngettext(
                    "%(n)d assessment will be recomputed.",
                    "%(n)d assessments will be recomputed.",
                    n,
                )
                % {"n": n}
            ),
        )

    @admin.action(description=_("Freeze the selected assessments"))
    def freeze_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            services.duty_assessment_freeze,
            lambda n: (
                ngettext("%(n)d assessment frozen.", "%(n)d assessments frozen.", n) % {"n": n}
            ),
        )


def _stored_breakdown(result: dict | None, language: str) -> dict | None:
    """A stored result (``customs.codec``) in the shape of ``quote_view``, texts in
    ``language``, so one template shows both."""
    if not result:
        return None
    zh = language.startswith("zh")
    return {
        **result,
        "regime": {**result["regime"], "name": result["regime"]["zh_hans" if zh else "en"]},
        "blocking": [
            {"code": m["code"], "message": message_text(m, language)} for m in result["blocking"]
        ],
        "notices": [
            {"code": m["code"], "message": message_text(m, language)} for m in result["notices"]
        ],
        "totals": [
            {"kind": kind, "name": tax_kind_name(kind, language), "amount": amount}
            for kind, amount in result["totals"].items()
        ],
        "lines": [
            {
                **line,
                "taxes": [
                    {**tax, "name": tax_kind_name(tax["kind"], language)} for tax in line["taxes"]
                ],
            }
            for line in result["lines"]
        ],
        # The yearly figures of a stored result are the buyer's only if one was identified.
        "yearly_remaining": result["yearly_remaining"] if result.get("yearly_remaining") else None,
    }
