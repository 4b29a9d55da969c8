"""Seller-portal pages for warehouses: the list (the platform's and the merchant's own),
registering one, editing one. Thin: forms validate input, ``logistics.services`` decides.

The pages sit in the portal's inventory section (``/<lang>/seller/stock/warehouses/``,
templates in ``templates/seller/stock/``) because sellers look for them beside their stock.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.views.generic import FormView, ListView

from marketplace.forms import form_add_service_errors
from marketplace.portal import SellerPortalMixin
from merchants.roles import Capability

from . import selectors
from .forms import WarehouseEditForm, WarehouseForm
from .models import Warehouse
from .services import warehouse_create, warehouse_update

SERVICE_NAMES = {"name": "name_en"}


class WarehouseListView(SellerPortalMixin, ListView):
    template_name = "seller/stock/warehouses.html"
    context_object_name = "warehouses"

    def get_queryset(self):
        return selectors.warehouses_with_merchant_stock(self.merchant)


class WarehouseCreateView(SellerPortalMixin, FormView):
    template_name = "seller/stock/warehouse_form.html"
    form_class = WarehouseForm
    capability = Capability.MANAGE_CATALOG

    def get_initial(self):
        return {"is_active": True, "country": self.merchant.country}

    def form_valid(self, form):
        try:
            warehouse_create(merchant=self.merchant, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc, SERVICE_NAMES)
            return self.form_invalid(form)
        messages.success(self.request, gettext("Warehouse registered."))
        return redirect("warehouses:list")


class WarehouseEditView(SellerPortalMixin, FormView):
    """Edit one of the merchant's own warehouses (platform warehouses are the operator's)."""

    template_name = "seller/stock/warehouse_form.html"
    form_class = WarehouseEditForm
    capability = Capability.VIEW
    write_capability = Capability.MANAGE_CATALOG

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
            warehouse_update(
                warehouse=self.get_warehouse(), by=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, SERVICE_NAMES)
            return self.form_invalid(form)
        messages.success(self.request, gettext("Warehouse saved."))
        return redirect("warehouses:list")

    def get_context_data(self, **kwargs):
        return super().get_context_data(warehouse=self.get_warehouse(), **kwargs)
