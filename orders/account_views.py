"""The shopper's order pages (``/<lang>/account/orders/``): their orders, one order with its
history, duties line by line, shipping, payment, and what they can do (cancel while the
merchant has not packed it, then ask for a refund). Only the owner sees an order: anyone
else's number is a 404, like one that does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from marketplace.forms import form_error_messages
from orders.models import Order
from orders.order_forms import RefundRequestForm
from orders.selectors import order_detail, order_for_shopper, orders_for_shopper
from orders.services import order_cancel_by_shopper, refund_request_create

PAGE_SIZE = 20


def shopper_order_or_404(request, number: str) -> Order:
    """The signed-in shopper's order ``number``; anyone else's (or none) is a 404."""
    try:
        return order_for_shopper(request.user, number)
    except Order.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def order_list(request):
    """The shopper's orders, newest first, a page at a time."""
    page = Paginator(orders_for_shopper(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orders/account/orders.html", {"page": page, "orders": page.object_list})


@login_required
@require_GET
def order_page(request, number: str):
    detail = order_detail(shopper_order_or_404(request, number))
    return render(
        request,
        "orders/account/order.html",
        {
            "detail": detail,
            "order": detail.order,
            "refund_form": RefundRequestForm(),
            "cancel_url": reverse("account_orders:cancel", args=[number]),
        },
    )


@login_required
@require_POST
def refund_request(request, number: str):
    """Ask for a refund (the merchant's team or an operator decides)."""
    order = shopper_order_or_404(request, number)
    form = RefundRequestForm(request.POST)
    if form.is_valid():
        try:
            refund_request_create(
                order=order,
                by=request.user,
                reason=form.cleaned_data["reason"],
                amount=form.cleaned_data.get("amount"),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Your request is sent: the seller will answer on this page.")
            )
    else:
        for message in form_error_messages(form):
            messages.error(request, message)
    return redirect("account_orders:detail", number=order.number)


@login_required
@require_POST
def order_cancel(request, number: str):
    """Cancel the order (until the merchant packs it); the money comes back to the card."""
    order = shopper_order_or_404(request, number)
    try:
        order_cancel_by_shopper(order=order, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Your order is cancelled.")
            if order.paid_at is None
            else _("Your order is cancelled: the money goes back to your card."),
        )
    return redirect("account_orders:detail", number=order.number)
