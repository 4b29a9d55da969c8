"""Back office: products and the review queue.

Product rows are read-only here: merchants own their content, operators decide. Every
decision (approve, reject, delist, approve or reject a live product's edits) calls
``catalog.services.moderation``, so it is checked against the lifecycle table and leaves an
event row, exactly as from anywhere else.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.admin import TranslationAdmin

from catalog.forms import ReasonForm
from catalog.models import Product, ProductAwaitingReview, ProductRevision
from catalog.sanitize import sanitize_html
from catalog.selectors import moderation as selectors
from catalog.selectors.seller import detail_prefetches
from catalog.services import moderation
from marketplace.admin import ReadOnlyAdminMixin
from marketplace.clearance_labels import mode_label
from marketplace.transitions import IllegalTransition

REFUSALS = (IllegalTransition, ValidationError, PermissionDenied)


def _refusal_text(error: Exception) -> str:
    if isinstance(error, IllegalTransition):
        return _("not possible from its current status")
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("not allowed")


def reason_step(modeladmin, request, queryset, *, title: str, apply, form_class=ReasonForm):
    """An admin action that asks for a reason first, then calls ``apply(obj, cleaned_data)``
    for each selected row and reports what was done and what was refused."""
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            done = 0
            for obj in queryset:
                try:
                    apply(obj, form.cleaned_data)
                except REFUSALS as error:
                    modeladmin.message_user(
                        request,
                        _("%(object)s: %(problem)s")
                        % {"object": obj, "problem": _refusal_text(error)},
                        messages.ERROR,
                    )
                else:
                    done += 1
            if done:
                modeladmin.message_user(request, _("%(n)s done.") % {"n": done}, messages.SUCCESS)
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


def _decide_each(modeladmin, request, queryset, decide) -> None:
    done = 0
    for obj in queryset:
        try:
            decide(obj)
        except REFUSALS as error:
            modeladmin.message_user(
                request,
                _("%(object)s: %(problem)s") % {"object": obj, "problem": _refusal_text(error)},
                messages.ERROR,
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(request, _("%(n)s done.") % {"n": done}, messages.SUCCESS)


def approve_listing_or_edits(product: Product, by) -> str:
    """The queue's one "approve": a new listing goes live, or a live listing's edits apply."""
    if product.status == Product.Status.PENDING_REVIEW:
        moderation.product_approve(product=product, by=by)
        return _("Approved and published.")
    revision = moderation.pending_revision(product)
    if revision is None:
        raise IllegalTransition("approve", product.status)
    moderation.revision_approve(revision=revision, by=by)
    return _("Edits approved and published.")


def reject_listing_or_edits(product: Product, by, reason: str) -> str:
    if product.status == Product.Status.PENDING_REVIEW:
        moderation.product_reject(product=product, by=by, reason=reason)
        return _("Rejected; the merchant sees your reason.")
    revision = moderation.pending_revision(product)
    if revision is None:
        raise IllegalTransition("reject", product.status)
    moderation.revision_reject(revision=revision, by=by, reason=reason)
    return _("Edits rejected; the live version stays.")


def _attributes_text(sku) -> str:
    """Both languages of a variant's attributes (operators review what each page shows)."""
    parts = [
        ", ".join(f"{k}: {v}" for k, v in (attributes or {}).items())
        for attributes in (sku.attributes_zh_hans, sku.attributes_en)
    ]
    return " / ".join(part for part in parts if part) or "—"


class ProductDisplayMixin:
    """Read-only panels shared by the product and review screens."""

    @admin.display(description=gettext_lazy("Variants"))
    def skus_table(self, product):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{} / {}</td>"
            '<td>{}</td><td>{} {} <a href="{}">{}</a></td><td>{}</td></tr>',
            (
                (
                    sku.code,
                    _attributes_text(sku),
                    sku.price,
                    product.listing_currency,
                    sku.hs_code,
                    sku.origin_country,
                    sku.net_weight_kg,
                    sku.gross_weight_kg,
                    ", ".join(mode_label(m) for m in sku.trade_modes),
                    sku.get_product_record_status_display(),
                    sku.product_record_number,
                    reverse("admin:catalog_productrecordsubmission_override", args=[sku.pk]),
                    _("Override"),
                    _("yes") if sku.is_active else _("no"),
                )
                for sku in product.skus.all()
            ),
        )
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "<th>{}</th><th>{}</th></tr>",
            _("SKU code"),
            _("Attributes"),
            _("Price"),
            _("HS code"),
            _("Origin"),
            _("Weight (kg)"),
            _("Trade modes"),
            _("Product record"),
            _("On sale"),
        )
        return format_html('<table class="review-table">{}{}</table>', head, rows)

    @admin.display(description=gettext_lazy("Images"))
    def images_gallery(self, product):
        return selectors.thumbnails_html(product.images.all())

    @admin.display(description=gettext_lazy("Description (Chinese)"))
    def description_zh_hans_rendered(self, product):
        return mark_safe(sanitize_html(product.description_zh_hans or "")) or "—"  # noqa: S308

    @admin.display(description=gettext_lazy("Description (English)"))
    def description_en_rendered(self, product):
        return mark_safe(sanitize_html(product.description_en or "")) or "—"  # noqa: S308

    @admin.display(description=gettext_lazy("Edits awaiting review"))
    def pending_changes(self, product):
        revision = selectors.pending_of(product)
        if revision is None:
            return "—"
        revision.product = product
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            ((row.label, row.live, row.proposed) for row in selectors.revision_diff(revision)),
        )
        return format_html(
            '<table class="review-table"><tr><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>',
            _("Field"),
            _("Live"),
            _("Proposed"),
            rows,
        )

    @admin.display(description=gettext_lazy("History"))
    def history_table(self, product):
        entries = selectors.product_history(product)
        if not entries:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(localtime(entry.when), "Y-m-d H:i"),
                    entry.action,
                    entry.actor or "—",
                    entry.reason or "—",
                )
                for entry in entries
            ),
        )
        return format_html('<table class="review-table">{}</table>', rows)


def _pending_exists():
    return Exists(
        ProductRevision.objects.filter(
            product=OuterRef("pk"), status=ProductRevision.Status.PENDING
        )
    )


class ReadOnlyProductAdmin(ReadOnlyAdminMixin, ProductDisplayMixin):
    """Shared setup: read-only rows with the review panels, decisions through actions.

    Mixed into a ``TranslationAdmin`` for products and a plain ``ModelAdmin`` for the queue
    (a proxy, which modeltranslation does not register; its fields are read-only anyway).
    """

    list_select_related = ("merchant", "category", "brand")

    class Media:
        css = {"all": ("css/catalog-admin.css",)}

    search_fields = ("name_en", "name_zh_hans", "slug", "merchant__name_en", "merchant__slug")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "merchant",
                    "status",
                    "name_zh_hans",
                    "name_en",
                    "category",
                    "brand",
                    "listing_currency",
                    "min_order_quantity",
                    "published_at",
                    "updated_at",
                )
            },
        ),
        (gettext_lazy("Edits awaiting review"), {"fields": ("pending_changes",)}),
        (
            gettext_lazy("Content"),
            {
                "fields": (
                    "description_zh_hans_rendered",
                    "description_en_rendered",
                    "images_gallery",
                    "skus_table",
                )
            },
        ),
        (gettext_lazy("History"), {"fields": ("history_table",)}),
    )
    readonly_fields = (
        "merchant",
        "status",
        "name_zh_hans",
        "name_en",
        "category",
        "brand",
        "listing_currency",
        "min_order_quantity",
        "published_at",
        "updated_at",
        "pending_changes",
        "description_zh_hans_rendered",
        "description_en_rendered",
        "images_gallery",
        "skus_table",
        "history_table",
    )

    def get_queryset(self, request):
        rows = super().get_queryset(request).annotate(has_pending_revision=_pending_exists())
        if request.resolver_match and request.resolver_match.url_name.endswith("_change"):
            rows = rows.prefetch_related(*detail_prefetches())
        return rows

    @admin.display(boolean=True, description=gettext_lazy("Edits awaiting review"))
    def edits_waiting(self, product):
        return product.has_pending_revision


@admin.register(Product)
class ProductAdmin(ReadOnlyProductAdmin, TranslationAdmin):
    list_display = (
        "name",
        "merchant",
        "category",
        "status",
        "edits_waiting",
        "published_at",
        "updated_at",
    )
    list_filter = ("status", "category", "merchant__kind", "merchant")
    date_hierarchy = "published_at"
    actions = ["delist_selected", "approve_selected", "reject_selected"]

    @admin.action(description=gettext_lazy("Approve (new listings or pending edits)"))
    def approve_selected(self, request, queryset):
        _decide_each(self, request, queryset, lambda p: approve_listing_or_edits(p, request.user))

    @admin.action(description=gettext_lazy("Reject with a reason (new listings or pending edits)"))
    def reject_selected(self, request, queryset):
        return reason_step(
            self,
            request,
            queryset,
            title=_("Reject: give the merchant a reason"),
            apply=lambda p, data: reject_listing_or_edits(p, request.user, data["reason"]),
        )

    @admin.action(description=gettext_lazy("Delist with a reason"))
    def delist_selected(self, request, queryset):
        return reason_step(
            self,
            request,
            queryset,
            title=_("Delist: give the merchant a reason"),
            apply=lambda p, data: moderation.product_delist(
                product=p, by=request.user, reason=data["reason"]
            ),
        )


@admin.register(ProductAwaitingReview)
class ProductAwaitingReviewAdmin(ReadOnlyProductAdmin, admin.ModelAdmin):
    """The review queue: new listings and live listings with edits, oldest first."""

    list_display = ("name", "merchant", "category", "waiting_for", "updated_at")
    list_filter = ("category", "merchant__kind", "merchant")
    actions = ["approve_selected", "reject_selected"]
    change_form_template = "admin/catalog/review_change_form.html"
    approve_selected = ProductAdmin.approve_selected
    reject_selected = ProductAdmin.reject_selected

    def get_queryset(self, request):
        rows = selectors.products_awaiting_review()
        if request.resolver_match and request.resolver_match.url_name.endswith("_change"):
            rows = rows.prefetch_related(*detail_prefetches())
        return rows

    @admin.display(description=gettext_lazy("Waiting for"))
    def waiting_for(self, product):
        if product.status == Product.Status.PENDING_REVIEW:
            return _("New listing")
        return _("Edits to a live listing")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="{}_{}_approve".format(*info),
            ),
            path(
                "<int:pk>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="{}_{}_reject".format(*info),
            ),
            *super().get_urls(),
        ]

    def _queue_url(self):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def approve_view(self, request, pk):
        if request.method != "POST":
            return redirect(self._queue_url())
        product = get_object_or_404(self.get_queryset(request), pk=pk)
        try:
            self.message_user(request, approve_listing_or_edits(product, request.user))
        except REFUSALS as error:
            self.message_user(request, _refusal_text(error), messages.ERROR)
        return redirect(self._queue_url())

    def reject_view(self, request, pk):
        product = get_object_or_404(self.get_queryset(request), pk=pk)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                self.message_user(
                    request,
                    reject_listing_or_edits(product, request.user, form.cleaned_data["reason"]),
                )
            except REFUSALS as error:
                self.message_user(request, _refusal_text(error), messages.ERROR)
            return redirect(self._queue_url())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject: give the merchant a reason"),
            "objects": [product],
            "form": form,
            "opts": self.opts,
            "single": True,
        }
        return TemplateResponse(request, "admin/catalog/action_reason.html", context)
