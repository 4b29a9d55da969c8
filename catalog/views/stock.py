"""Seller-portal pages for inventory: stock overview, low stock, adjustments and their
history, warehouses, CSV import and export. Thin: forms validate input, services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView, TemplateView, View

from catalog.models import SKU, ImportJob, StockAdjustment
from catalog.selectors import stock as selectors
from catalog.services import imports
from catalog.services.stock import MANUAL_REASONS, stock_adjust
from logistics import selectors as warehouse_selectors
from logistics.models import Warehouse
from logistics.services import warehouse_create, warehouse_update
from marketplace.portal import SellerPortalMixin
from merchants.roles import Capability

# --- forms -------------------------------------------------------------------------------------

REASON_CHOICES = [(r.value, r.label) for r in MANUAL_REASONS]


class StockFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Warehouse kind"),
        choices=[("", _("All kinds")), *Warehouse.Kind.choices],
        required=False,
    )
    low = forms.BooleanField(label=_("Low stock only"), required=False)

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouse_selectors.warehouses_usable_by(merchant)
        self.fields["warehouse"].empty_label = _("All warehouses")


class AdjustForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *REASON_CHOICES])
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=0,
        help_text=_(
            "Receipt, return and damage: how many units. Correction: the new counted "
            "quantity on hand."
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class NewAdjustForm(AdjustForm):
    sku_code = forms.CharField(label=_("SKU code"), max_length=64)
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    field_order = ["sku_code", "warehouse", "reason", "quantity", "note"]

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.merchant = merchant
        self.fields["warehouse"].queryset = warehouse_selectors.warehouses_usable_by(
            merchant, active_only=True
        )

    def clean_sku_code(self):
        code = self.cleaned_data["sku_code"].strip()
        sku = SKU.objects.for_merchant(self.merchant).filter(code=code).first()
        if sku is None:
            raise ValidationError(_("You have no SKU with this code."))
        self.sku = sku
        return code


class WarehouseForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits and hyphens; used in stock files. Cannot change later."),
    )
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    name_zh_hans = forms.CharField(label=_("Name (Chinese)"), max_length=120, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Warehouse.Kind.OVERSEAS.value, Warehouse.Kind.OVERSEAS.label),
            (Warehouse.Kind.DOMESTIC.value, Warehouse.Kind.DOMESTIC.label),
        ],
        help_text=_("Bonded warehouses are registered by the platform's operators."),
    )
    country = forms.CharField(
        label=_("Country"), max_length=2, help_text=_("Two-letter code, e.g. NZ, JP, CN.")
    )
    address = forms.CharField(label=_("Address"), widget=forms.Textarea, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class WarehouseEditForm(WarehouseForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["code"]
        del self.fields["kind"]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportJob.Kind.choices)
    # Empty files reach the import, which reports them like every other file problem.
    file = forms.FileField(label=_("CSV file"), allow_empty_file=True)


def _errors_into_form(form: forms.Form, exc: ValidationError, names: dict[str, str]) -> None:
    """Show a service's ValidationError on the form, each message on its field."""
    if hasattr(exc, "error_dict"):
        for name, messages_ in exc.message_dict.items():
            field = names.get(name, name)
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class ManageOnPost:
    """Reading needs ``view``; posting changes needs ``manage_catalog``."""

    @property
    def capability(self) -> str:
        if self.request.method in ("POST", "PUT", "PATCH", "DELETE"):
            return Capability.MANAGE_CATALOG
        return Capability.VIEW


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
            _errors_into_form(form, exc, {"sku": "sku_code"})
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
            _errors_into_form(form, exc, {})
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


# --- warehouses --------------------------------------------------------------------------------


class WarehouseListView(SellerPortalMixin, ListView):
    template_name = "seller/stock/warehouses.html"
    context_object_name = "warehouses"

    def get_queryset(self):
        return warehouse_selectors.warehouses_with_merchant_stock(self.merchant)


class WarehouseCreateView(SellerPortalMixin, FormView):
    template_name = "seller/stock/warehouse_form.html"
    form_class = WarehouseForm
    capability = Capability.MANAGE_CATALOG

    def get_initial(self):
        return {"is_active": True, "country": self.merchant.country}

    def form_valid(self, form):
        try:
            warehouse_create(merchant=self.merchant, **form.cleaned_data)
        except ValidationError as exc:
            _errors_into_form(form, exc, {"name": "name_en"})
            return self.form_invalid(form)
        messages.success(self.request, gettext("Warehouse registered."))
        return redirect("stock:warehouses")


class WarehouseEditView(ManageOnPost, SellerPortalMixin, FormView):
    """Edit one of the merchant's own warehouses (platform warehouses are the operator's)."""

    template_name = "seller/stock/warehouse_form.html"
    form_class = WarehouseEditForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.warehouse = None

    def get_warehouse(self) -> Warehouse:
        if self.warehouse is None:
            self.warehouse = get_object_or_404(
                Warehouse.objects.for_merchant(self.merchant), pk=self.kwargs["pk"]
            )
        return self.warehouse

    def get_initial(self):
        w = self.get_warehouse()
        return {
            "name_en": w.name_en,
            "name_zh_hans": w.name_zh_hans,
            "country": w.country,
            "address": w.address,
            "is_active": w.is_active,
        }

    def form_valid(self, form):
        try:
            warehouse_update(warehouse=self.get_warehouse(), **form.cleaned_data)
        except ValidationError as exc:
            _errors_into_form(form, exc, {"name": "name_en"})
            return self.form_invalid(form)
        messages.success(self.request, gettext("Warehouse saved."))
        return redirect("stock:warehouses")

    def get_context_data(self, **kwargs):
        return super().get_context_data(warehouse=self.get_warehouse(), **kwargs)


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
            _errors_into_form(form, exc, {})
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
