"""Seller-portal order pages (``/<lang>/seller/orders/``): the merchant's orders with
filters, one order (lines with their allocations, duties, shipping, the whole history, the
shopper's refund requests), and the team's actions: accept, note, answer a refund request
(packing is fulfilment's: ``logistics/fulfilment/seller_views.py``). Thin: forms read input, ``orders.services`` decides (and checks the role).

Tenancy: every order is looked up among the current merchant's (``orders_for_merchant``,
``order_for_merchant``); another merchant's number is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from marketing.distribution.selectors import order_commission_costs
from marketplace.forms import form_error_messages
from marketplace.portal import SellerPortalMixin
from marketplace.transitions import IllegalTransition
from merchants.roles import Capability
from orders.models import Order, RefundRequest
from orders.order_forms import NoteForm, OrderFilterForm, ReasonForm, RefundForm
from orders.selectors import (
    order_detail,
    order_for_merchant,
    orders_for_merchant,
    promotion_costs,
)
from orders.services import (
    order_accept,
    order_note_set,
    order_refund_by_team,
    refund_request_approve,
    refund_request_decline,
)

PAGE_SIZE = 25


class SellerOrderMixin(SellerPortalMixin):
    capability = Capability.VIEW
    write_capability = Capability.MANAGE_ORDERS

    def get_order(self) -> Order:
        if getattr(self, "_order", None) is None:
            try:
                self._order = order_for_merchant(self.merchant, self.kwargs["number"])
            except Order.DoesNotExist:
                raise Http404 from None
        return self._order


class OrderListView(SellerPortalMixin, TemplateView):
    template_name = "seller/orders/list.html"

    def get_context_data(self, **kwargs):
        form = OrderFilterForm(self.request.GET or None)
        queryset = orders_for_merchant(self.merchant, form.filters())
        page = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=form, page=page, orders=page.object_list, query=query.urlencode(), **kwargs
        )


class OrderDetailView(SellerOrderMixin, TemplateView):
    template_name = "seller/orders/detail.html"

    def get_context_data(self, **kwargs):
        detail = order_detail(self.get_order())
        return super().get_context_data(
            detail=detail,
            order=detail.order,
            promotion_costs=promotion_costs(detail.order),
            commission_costs=order_commission_costs(
                order_id=detail.order.pk, merchant_id=detail.order.merchant_id
            ),
            note_form=NoteForm(initial={"note": detail.order.merchant_note}),
            reason_form=ReasonForm(),
            refund_form=RefundForm(),
            **kwargs,
        )


def _tell(request, exc) -> None:
    if isinstance(exc, IllegalTransition):
        messages.error(request, _("This order cannot do that now."))
        return
    for message in exc.messages:
        messages.error(request, message)


class OrderActionView(SellerOrderMixin, View):
    """POST targets of the order page's buttons; each redirects back to the order."""

    http_method_names = ["post"]

    def act(self, order: Order) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        order = self.get_order()
        try:
            done = self.act(order)
        except (ValidationError, IllegalTransition) as exc:
            _tell(request, exc)
        else:
            if done:
                messages.success(request, done)
        return redirect("seller_orders:detail", number=order.number)


class OrderAcceptView(OrderActionView):
    def act(self, order):
        order_accept(order=order, by=self.request.user)
        return _("Order accepted.")


class OrderNoteView(OrderActionView):
    def act(self, order):
        form = NoteForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["note"])
        order_note_set(order=order, by=self.request.user, note=form.cleaned_data["note"])
        return _("Note saved.")


class RefundRequestDeclineView(OrderActionView):
    def act(self, order):
        request = get_object_or_404(RefundRequest, order=order, pk=self.kwargs["pk"])
        form = ReasonForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        refund_request_decline(
            request=request, by=self.request.user, reason=form.cleaned_data["reason"]
        )
        return _("The shopper is told you declined, with your reason.")


class OrderRefundView(OrderActionView):
    def act(self, order):
        form = RefundForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(form_error_messages(form))
        order_refund_by_team(
            order=order,
            by=self.request.user,
            amount=form.cleaned_data.get("amount"),
            reason=form.cleaned_data["reason"],
        )
        return _("Refund made: the money goes back to the shopper's card.")


class RefundRequestApproveView(OrderActionView):
    def act(self, order):
        request = get_object_or_404(RefundRequest, order=order, pk=self.kwargs["pk"])
        refund_request_approve(request=request, by=self.request.user)
        return _("Refund made: the money goes back to the shopper's card.")
