"""Seller-portal pages for inventory: stock overview, low stock, adjustments and their
history, CSV import and export (warehouse pages are ``logistics.views``). Thin: forms
(``catalog/stock_forms.py``) validate input, services decide."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.views.generic import FormView, ListView, TemplateView, View

from catalog.models import ImportJob, StockAdjustment
from catalog.selectors import stock as selectors
from catalog.services import imports
from catalog.services.stock import stock_adjust
from catalog.stock_forms import AdjustForm, NewAdjustForm, StockFilterForm, UploadForm
from marketplace.forms import form_add_service_errors
from marketplace.portal import SellerPortalMixin
from merchants.roles import Capability


class ManageOnPost:
    """Reading needs ``view``; posting changes needs ``manage_catalog``."""

    capability = Capability.VIEW
    write_capability = Capability.MANAGE_CATALOG


# --- stock -------------------------------------------------------------------------------------


class StockOverviewView(SellerPortalMixin, ListView):
    template_name = "seller/stock/overview.html"
    context_object_name = "rows"
    paginate_by = 50

    def get_queryset(self):
        self.filters = StockFilterForm(self.request.GET or None, merchant=self.merchant)
        values = self.filters.cleaned_data if self.filters.is_valid() else {}
        warehouse = values.get("warehouse")
        return selectors.stock_rows(
            merchant=self.merchant,
            warehouse=warehouse.pk if warehouse else None,
            search=values.get("q", ""),
            kind=values.get("kind", ""),
            low_only=values.get("low", False),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filters=self.filters,
            query=query.urlencode(),
            low_count=selectors.low_stock_skus(merchant=self.merchant).count(),
        )
        return context


class LowStockView(SellerPortalMixin, ListView):
    template_name = "seller/stock/low.html"
    context_object_name = "skus"
    paginate_by = 100

    def get_queryset(self):
        return selectors.low_stock_skus(merchant=self.merchant)


class StockAdjustView(SellerPortalMixin, FormView):
    """Adjust any SKU in any usable warehouse (creates the stock row on first receipt)."""

    template_name = "seller/stock/adjust.html"
    form_class = NewAdjustForm
    capability = Capability.MANAGE_CATALOG

    def get_initial(self):
        return {"sku_code": self.request.GET.get("sku", "")}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "merchant": self.merchant}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            adjustment = stock_adjust(
                merchant=self.merchant,
                sku=form.sku,
                warehouse=data["warehouse"],
                reason=data["reason"],
                quantity=data["quantity"],
                actor=self.request.user,
                note=data["note"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, {"sku": "sku_code"})
            return self.form_invalid(form)
        if adjustment is None:
            messages.info(self.request, gettext("No change: the count already matches."))
            return redirect("stock:overview")
        messages.success(self.request, gettext("Stock adjusted."))
        return redirect("stock:detail", pk=adjustment.stock_id)


class StockDetailView(ManageOnPost, SellerPortalMixin, FormView):
    """One stock row: its counters, its adjustment history and a form to adjust it."""

    template_name = "seller/stock/detail.html"
    form_class = AdjustForm

    def get_stock(self):
        if not hasattr(self, "stock"):
            self.stock = get_object_or_404(
                selectors.stock_row_for_merchant(self.merchant), pk=self.kwargs["pk"]
            )
        return self.stock

    def get(self, request, *args, **kwargs):
        self.get_stock()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.get_stock()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            adjustment = stock_adjust(
                merchant=self.merchant,
                sku=self.stock.sku,
                warehouse=self.stock.warehouse,
                reason=data["reason"],
                quantity=data["quantity"],
                actor=self.request.user,
                note=data["note"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, {})
            return self.form_invalid(form)
        if adjustment is None:
            messages.info(self.request, gettext("No change: the count already matches."))
        else:
            messages.success(self.request, gettext("Stock adjusted."))
        return redirect("stock:detail", pk=self.stock.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stock = self.get_stock()
        context.update(
            stock=stock,
            adjustments=selectors.stock_adjustments(stock=stock)[:200],
            reasons=StockAdjustment.Reason,
        )
        return context


# --- CSV import and export ---------------------------------------------------------------------


class ImportListView(ManageOnPost, SellerPortalMixin, FormView):
    """Upload a CSV (products or stock), see past uploads, download exports."""

    template_name = "seller/stock/imports.html"
    form_class = UploadForm

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        # Read one byte past the limit: enough to refuse an oversized file without
        # loading all of it.
        data = upload.read(settings.CATALOG_IMPORT_MAX_BYTES + 1)
        try:
            job = imports.import_job_create(
                merchant=self.merchant,
                kind=form.cleaned_data["kind"],
                data=data,
                filename=upload.name,
                actor=self.request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, {})
            return self.form_invalid(form)
        return redirect("stock:import_detail", pk=job.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            jobs=selectors.import_jobs_for_merchant(self.merchant)[:50],
            product_columns=imports.PRODUCT_COLUMNS,
            stock_columns=imports.STOCK_COLUMNS,
            inline_max=settings.CATALOG_IMPORT_INLINE_MAX_ROWS,
            max_rows=settings.CATALOG_IMPORT_MAX_ROWS,
        )
        return context


class ImportDetailView(SellerPortalMixin, TemplateView):
    """One upload: progress while it runs (the page refreshes itself), then the outcome."""

    template_name = "seller/stock/import_detail.html"

    def get_context_data(self, **kwargs):
        job = get_object_or_404(
            selectors.import_jobs_for_merchant(self.merchant), pk=self.kwargs["pk"]
        )
        return super().get_context_data(job=job, **kwargs)


class ExportView(SellerPortalMixin, View):
    """Download the merchant's products or stock in the import's columns."""

    def get(self, request, kind: str):
        if kind not in ImportJob.Kind.values:
            raise Http404
        response = StreamingHttpResponse(
            imports.export_csv_lines(kind, self.merchant), content_type="text/csv; charset=utf-8"
        )
        filename = f"{self.merchant.slug}-{kind}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
