"""Back-office screens (Django admin at /<lang>/ops/): the application review queue and
merchants with their status, commission, team and history. Every change goes through
``merchants.services``; the admin only collects input and shows results."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from modeltranslation.admin import TranslationAdmin

from marketplace.admin import ReadOnlyAdminMixin
from marketplace.transitions import IllegalTransition

from . import selectors, services
from .apply_views import licence_response
from .forms import ReasonForm
from .models import (
    CategoryCommission,
    Invitation,
    Membership,
    Merchant,
    MerchantApplication,
)
from .templatetags.merchants_tags import country_name, trade_mode_labels


def _history(events) -> str:
    return render_to_string("merchants/_events.html", {"events": events})


def _report(request, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        messages.error(request, " ".join(exc.messages))
    elif isinstance(exc, IllegalTransition):
        messages.error(request, gettext("This is not possible in the current state."))
    else:
        messages.error(request, str(exc))


# --- applications --------------------------------------------------------------------------


@admin.register(MerchantApplication)
class MerchantApplicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The review queue: operators read an application and approve it, reject it with a
    reason or ask for more information. Application data is the applicant's: not editable."""

    change_form_template = "merchants/admin/application_change_form.html"
    list_display = (
        "company_name_en",
        "company_name_zh_hans",
        "kind",
        "country",
        "applicant",
        "status",
        "created_at",
    )
    list_filter = ("status", "kind", "country")
    search_fields = (
        "company_name_en",
        "company_name_zh_hans",
        "licence_number",
        "applicant__email",
        "contact_email",
    )
    list_select_related = ("applicant",)
    ordering = ("created_at",)
    actions = ["approve_selected"]
    fieldsets = (
        (None, {"fields": ("status", "applicant", "merchant_link", "created_at")}),
        (
            _("Company"),
            {
                "fields": (
                    "kind",
                    "company_name_zh_hans",
                    "company_name_en",
                    "country_display",
                    "licence_number",
                    "licence_link",
                )
            },
        ),
        (_("Contact"), {"fields": ("contact_name", "contact_email", "contact_phone")}),
        (_("What and how"), {"fields": ("categories_display", "trade_modes_display")}),
        (
            _("Payout details"),
            {
                "fields": (
                    "payout_bank_name",
                    "payout_account_holder",
                    "payout_account_masked",
                    "payout_swift",
                )
            },
        ),
        (_("History"), {"fields": ("history",)}),
    )
    readonly_fields = (
        "status",
        "applicant",
        "merchant_link",
        "created_at",
        "kind",
        "company_name_zh_hans",
        "company_name_en",
        "country_display",
        "licence_number",
        "licence_link",
        "contact_name",
        "contact_email",
        "contact_phone",
        "categories_display",
        "trade_modes_display",
        "payout_bank_name",
        "payout_account_holder",
        "payout_account_masked",
        "payout_swift",
        "history",
    )

    def can_review(self, request) -> bool:
        return request.user.has_perm("merchants.change_merchantapplication")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description=_("country"))
    def country_display(self, obj):
        return f"{country_name(obj.country)} ({obj.country})"

    @admin.display(description=_("business licence file"))
    def licence_link(self, obj):
        url = reverse("admin:merchants_merchantapplication_licence", args=[obj.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{} ({})</a>',
            url,
            gettext("Open the licence"),
            obj.licence_kind.upper(),
        )

    @admin.display(description=_("categories"))
    def categories_display(self, obj):
        return ", ".join(c.name for c in obj.categories.all())

    @admin.display(description=_("intended trade modes"))
    def trade_modes_display(self, obj):
        return ", ".join(trade_mode_labels(obj.trade_modes))

    @admin.display(description=_("account number or IBAN"))
    def payout_account_masked(self, obj):
        return obj.payout_account_masked

    @admin.display(description=_("merchant created"))
    def merchant_link(self, obj):
        if not obj.merchant_id:
            return "—"
        url = reverse("admin:merchants_merchant_change", args=[obj.merchant_id])
        return format_html('<a href="{}">{}</a>', url, obj.merchant)

    @admin.display(description=_("history"))
    def history(self, obj):
        return _history(obj.events.select_related("actor"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/review/",
                view(self.review_view),
                name="merchants_merchantapplication_review",
            ),
            path(
                "<int:pk>/licence/",
                view(self.licence_view),
                name="merchants_merchantapplication_licence",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None and self.can_review(request):
            extra["review_form"] = ReasonForm()
            extra["review_url"] = reverse(
                "admin:merchants_merchantapplication_review", args=[obj.pk]
            )
            extra["review_open"] = obj.is_open
            extra["can_approve"] = services.APPLICATION_FLOW.can(obj, "approve")
            extra["can_request_info"] = services.APPLICATION_FLOW.can(obj, "request_info")
            extra["can_reject"] = services.APPLICATION_FLOW.can(obj, "reject")
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def licence_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        application = get_object_or_404(MerchantApplication, pk=pk)
        if not application.licence_file:
            raise Http404
        return licence_response(application)

    def review_view(self, request, pk: int):
        return require_POST(self._review)(request, pk)

    def _review(self, request, pk: int):
        if not self.can_review(request):
            raise PermissionDenied
        application = get_object_or_404(MerchantApplication, pk=pk)
        form = ReasonForm(request.POST)
        form.is_valid()
        reason = form.cleaned_data.get("reason", "")
        decision = request.POST.get("decision")
        back = reverse("admin:merchants_merchantapplication_change", args=[pk])
        try:
            if decision == "approve":
                merchant = services.application_approve(application=application, by=request.user)
                messages.success(
                    request,
                    gettext("Approved: %(merchant)s is open for business.")
                    % {"merchant": merchant},
                )
            elif decision == "reject":
                services.application_reject(
                    application=application,
                    by=request.user,
                    reason=reason,
                )
                messages.success(request, gettext("The application was rejected."))
            elif decision == "request_info":
                services.application_request_info(
                    application=application,
                    by=request.user,
                    message=reason,
                )
                messages.success(request, gettext("The applicant was asked for more information."))
            else:
                messages.error(request, gettext("Choose a decision."))
        except (ValidationError, IllegalTransition) as exc:
            _report(request, exc)
        return HttpResponseRedirect(back)

    @admin.action(description=_("Approve the selected applications"))
    def approve_selected(self, request, queryset):
        if not self.can_review(request):
            raise PermissionDenied
        approved, skipped = 0, 0
        for application in queryset.order_by("pk"):
            if not services.APPLICATION_FLOW.can(application, "approve"):
                skipped += 1
                continue
            services.application_approve(application=application, by=request.user)
            approved += 1
        messages.success(
            request,
            gettext("%(approved)s approved, %(skipped)s skipped (not awaiting review).")
            % {"approved": approved, "skipped": skipped},
        )


# --- merchants -----------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    """The team as it is (owners manage it in the seller portal)."""

    model = Membership
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("user", "role", "is_active", "created_at")
    readonly_fields = fields
    verbose_name_plural = _("team")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "merchant")

    def has_add_permission(self, request, obj=None):
        return False


class MembershipAddInline(admin.TabularInline):
    """Add people to a merchant's team (for example the owner of a new self-operated store)."""

    model = Membership
    extra = 1
    can_delete = False
    fields = ("user", "role")
    autocomplete_fields = ["user"]
    verbose_name = _("new team member")
    verbose_name_plural = _("add team members")

    def get_queryset(self, request):
        return super().get_queryset(request).none()


class CategoryCommissionInline(admin.TabularInline):
    model = CategoryCommission
    extra = 0
    fields = ("category", "rate")
    verbose_name_plural = _("commission rates by category")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category", "merchant")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """The category menu of every row from one query per page, not one per row."""
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "category" and field is not None:
            choices = getattr(request, "_commission_category_choices", None)
            if choices is None:
                choices = request._commission_category_choices = list(field.choices)
            field.choices = choices
        return field


@admin.register(Merchant)
class MerchantAdmin(TranslationAdmin):
    """Merchants: create self-operated stores, correct details, set commission, suspend and
    reinstate (with a reason), and read the full history."""

    change_form_template = "merchants/admin/merchant_change_form.html"
    list_display = ("name", "kind", "status", "country", "commission_rate", "created_at")
    list_filter = ("kind", "status", "country")
    search_fields = ("name_en", "name_zh_hans", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    inlines = [CategoryCommissionInline, MembershipInline, MembershipAddInline]

    def has_delete_permission(self, request, obj=None):
        # A merchant's orders, ledger and history must outlive it: suspend instead.
        return False

    def get_fieldsets(self, request, obj=None):
        main = ["name_zh_hans", "name_en", "slug", "kind", "country", "commission_rate"]
        if obj is None:
            return [(None, {"fields": main})]
        return [
            (None, {"fields": main}),
            (_("Status and history"), {"fields": ["status", "history"]}),
            (_("From the application"), {"fields": ["categories_display", "payout"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["status", "categories_display", "payout", "history"]

    @admin.display(description=_("categories"))
    def categories_display(self, obj):
        return ", ".join(c.name for c in obj.categories.all()) or "—"

    @admin.display(description=_("payout details"))
    def payout(self, obj):
        details = selectors.payout_details_for(obj)
        if details is None:
            return "—"
        return f"{details.payout_bank_name} · {details.payout_account_holder} · " + (
            f"{details.payout_account_masked} · {details.payout_swift}"
        )

    @admin.display(description=_("history"))
    def history(self, obj):
        return _history(selectors.merchant_events(obj))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.merchant_create(
                name_en=data["name_en"],
                name_zh_hans=data.get("name_zh_hans") or "",
                slug=data["slug"],
                kind=data["kind"],
                country=data["country"],
                commission_rate=data.get("commission_rate"),
                by=request.user,
            )
            obj.pk = created.pk
            obj.status = created.status
            return
        services.merchant_update(
            merchant=obj,
            by=request.user,
            name_en=data["name_en"],
            name_zh_hans=data.get("name_zh_hans") or "",
            slug=data["slug"],
            kind=data["kind"],
            country=data["country"],
        )
        if "commission_rate" in form.changed_data:
            services.merchant_commission_set(
                merchant=obj, by=request.user, rate=data.get("commission_rate")
            )

    def save_formset(self, request, form, formset, change):
        merchant = form.instance
        # The admin's change message reads these; the services wrote the history already.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is CategoryCommission:
            for row in formset.deleted_forms:
                if row.instance.pk:
                    services.category_commission_remove(
                        merchant=merchant, category=row.instance.category, by=request.user
                    )
            for row in formset.forms:
                if row in formset.deleted_forms or not row.has_changed():
                    continue
                data = row.cleaned_data
                if row.instance.pk and row.instance.category_id != data["category"].pk:
                    # Moving a rate to another category: drop the old one first.
                    old = CategoryCommission.objects.get(pk=row.instance.pk)
                    services.category_commission_remove(
                        merchant=merchant, category=old.category, by=request.user
                    )
                services.category_commission_set(
                    merchant=merchant, category=data["category"], rate=data["rate"], by=request.user
                )
            return
        # Memberships: the read-only team inline has nothing to save; new rows are added.
        for row in formset.forms:
            data = getattr(row, "cleaned_data", None) or {}
            if data.get("user") and not row.instance.pk:
                services.membership_add(merchant=merchant, user=data["user"], role=data["role"])

    def get_urls(self):
        return [
            path(
                "<int:pk>/status/",
                self.admin_site.admin_view(self.status_view),
                name="merchants_merchant_status",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_change_permission(request, obj):
            extra["status_form"] = ReasonForm()
            extra["status_url"] = reverse("admin:merchants_merchant_status", args=[obj.pk])
            extra["can_suspend"] = services.MERCHANT_FLOW.can(obj, "suspend")
            extra["can_reinstate"] = services.MERCHANT_FLOW.can(obj, "reinstate")
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def status_view(self, request, pk: int):
        return require_POST(self._change_status)(request, pk)

    def _change_status(self, request, pk: int):
        merchant = get_object_or_404(Merchant, pk=pk)
        if not self.has_change_permission(request, merchant):
            raise PermissionDenied
        form = ReasonForm(request.POST)
        form.is_valid()
        reason = form.cleaned_data.get("reason", "")
        action = request.POST.get("action")
        try:
            with transaction.atomic():
                if action == "suspend":
                    services.merchant_suspend(merchant=merchant, by=request.user, reason=reason)
                    messages.success(request, gettext("The merchant is suspended."))
                elif action == "reinstate":
                    services.merchant_reinstate(merchant=merchant, by=request.user, reason=reason)
                    messages.success(request, gettext("The merchant is reinstated."))
                else:
                    messages.error(request, gettext("Choose a decision."))
        except (ValidationError, IllegalTransition) as exc:
            _report(request, exc)
        return HttpResponseRedirect(reverse("admin:merchants_merchant_change", args=[pk]))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Everyone's memberships. Read-only here: roles change in the seller portal (owners) or
    through the actions below, which keep the last-owner rule."""

    list_display = ("user", "merchant", "role", "is_active", "created_at")
    list_filter = ("role", "is_active")
    search_fields = ("user__email", "merchant__name_en", "merchant__name_zh_hans")
    list_select_related = ("user", "merchant")
    actions = ["deactivate_selected", "reactivate_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Remove the selected people from their team"))
    def deactivate_selected(self, request, queryset):
        for membership in queryset.select_related("merchant", "user"):
            try:
                services.membership_deactivate(by=request.user, membership=membership)
            except ValidationError as exc:
                messages.error(request, f"{membership}: {' '.join(exc.messages)}")

    @admin.action(description=_("Bring the selected people back to their team"))
    def reactivate_selected(self, request, queryset):
        for membership in queryset.select_related("merchant", "user"):
            services.membership_reactivate(by=request.user, membership=membership)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Invitations owners sent (read-only: owners send and revoke them in the portal)."""

    list_display = ("email", "merchant", "role", "status_display", "created_at", "expires_at")
    list_filter = ("role",)
    search_fields = ("email", "merchant__name_en", "merchant__name_zh_hans")
    list_select_related = ("merchant",)

    @admin.display(description=_("status"))
    def status_display(self, obj):
        return obj.get_status_display()
