"""Seller-portal fulfilment pages (``/<lang>/seller/shipments/``): the pick list per
warehouse, packing an order into parcels (and "mark packed", one parcel with everything),
the merchant's shipments with their parcels and tracking, and their parcel exceptions.

Thin: forms read input, ``shipment_create`` (the one door to packing) decides and checks the
role. Tenancy: every order, shipment and exception is looked up among the current merchant's;
another merchant's is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from marketplace.digits import is_ascii_digits
from marketplace.forms import form_add_service_errors
from marketplace.portal import SellerPortalMixin
from marketplace.transitions import IllegalTransition
from merchants.roles import Capability
from orders.models import Order
from orders.selectors import order_for_merchant

from .models import Shipment
from .selectors import order_tracking
from .seller_selectors import (
    exceptions_for_merchant,
    pick_list,
    shipment_for_merchant,
    shipments_for_merchant,
)
from .services import shipment_create
from .shipment_forms import ShipmentForm

PAGE_SIZE = 25


class FulfilmentMixin(SellerPortalMixin):
    capability = Capability.VIEW
    write_capability = Capability.MANAGE_ORDERS

    def get_order(self) -> Order:
        try:
            return order_for_merchant(self.merchant, self.kwargs["number"])
        except Order.DoesNotExist:
            raise Http404 from None


class PickListView(FulfilmentMixin, TemplateView):
    template_name = "seller/shipments/picklist.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(picks=pick_list(self.merchant), **kwargs)


class ShipmentListView(FulfilmentMixin, TemplateView):
    template_name = "seller/shipments/list.html"

    def get_context_data(self, **kwargs):
        page = Paginator(shipments_for_merchant(self.merchant), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(page=page, shipments=page.object_list, query="", **kwargs)


class ShipmentDetailView(FulfilmentMixin, TemplateView):
    template_name = "seller/shipments/detail.html"

    def get_context_data(self, **kwargs):
        try:
            shipment = shipment_for_merchant(self.merchant, self.kwargs["pk"])
        except Shipment.DoesNotExist:
            raise Http404 from None
        return super().get_context_data(
            shipment=shipment, tracking=order_tracking(shipment.order), **kwargs
        )


class ShipmentCreateView(FulfilmentMixin, TemplateView):
    """GET: the split form (``?parcels=N``); POST: pack the order into those parcels."""

    template_name = "seller/shipments/create.html"

    def _parcels(self) -> int:
        raw = self.request.POST.get("parcels") or self.request.GET.get("parcels") or "1"
        return int(raw) if is_ascii_digits(raw) else 1

    def get_context_data(self, **kwargs):
        order = kwargs.pop("order", None) or self.get_order()
        form = kwargs.pop("form", None) or ShipmentForm(order=order, parcels=self._parcels())
        return super().get_context_data(order=order, form=form, **kwargs)

    def post(self, request, *args, **kwargs):
        order = self.get_order()
        form = ShipmentForm(request.POST, order=order, parcels=self._parcels())
        if form.is_valid():
            try:
                shipment = shipment_create(order=order, by=request.user, parcels=form.parcels())
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            except IllegalTransition:
                form.add_error(None, _("This order cannot be packed now."))
            else:
                messages.success(request, _("Order packed: the carrier is told of the parcels."))
                return redirect("seller_shipments:detail", pk=shipment.pk)
        return self.render_to_response(self.get_context_data(order=order, form=form))


class OrderPackView(FulfilmentMixin, View):
    """The order page's "Mark as packed": one parcel with everything, on the order's
    waybill (``shipment_create`` with no split)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        order = self.get_order()
        try:
            shipment_create(order=order, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except IllegalTransition:
            messages.error(request, _("This order cannot do that now."))
        else:
            messages.success(request, _("Order marked as packed."))
        return redirect("seller_orders:detail", number=order.number)


class ExceptionListView(FulfilmentMixin, TemplateView):
    template_name = "seller/shipments/exceptions.html"

    def get_context_data(self, **kwargs):
        page = Paginator(exceptions_for_merchant(self.merchant), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(page=page, exceptions=page.object_list, query="", **kwargs)
