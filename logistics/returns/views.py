"""The shopper's return doors (``/<lang>/account/orders/<n>/returns/``): the request posted
from the order page's form (works without JavaScript: a plain POST, then back to the order
page with the outcome), and the return label of an approved return. Only the order's owner
reaches them; anyone else's order is a 404. And a merchant's return policy page
(``/<lang>/store/<slug>/returns/``), for anyone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.selectors.storefront.refs import merchant_public
from marketplace.forms import form_error_messages
from orders.account_views import shopper_order_or_404

from . import services
from .forms import ReturnRequestForm
from .labels import for_label
from .models import ReturnRequest
from .seller_views import label_response


@login_required
@require_POST
def return_create(request, number: str):
    """Ask to return some units of some lines of the delivered order, saying why."""
    order = shopper_order_or_404(request, number)
    form = ReturnRequestForm(request.POST, returnable=services.returnable_lines(order))
    if form.is_valid():
        try:
            services.return_request_create(
                order=order,
                by=request.user,
                reason=form.cleaned_data["reason"],
                lines=form.lines(),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Your return request is sent: the seller answers on this page.")
            )
    else:
        for message in form_error_messages(form):
            messages.error(request, message)
    return redirect("account_orders:detail", number=order.number)


@login_required
@require_GET
def return_label(request, number: str, pk: int):
    """The return label (PDF) of the shopper's approved return."""
    order = shopper_order_or_404(request, number)
    found = for_label(ReturnRequest.objects.filter(order=order)).filter(pk=pk).first()
    if found is None or not found.waybill_number:
        raise Http404
    return label_response(found)


@require_GET
def store_policy(request, slug: str):
    """A merchant's return policy, for anyone (linked from their store and product pages)."""
    merchant = merchant_public(slug)
    if merchant is None:
        raise Http404
    return render(
        request,
        "returns/store_policy.html",
        {"shop": merchant, "policy": services.return_policy_of(merchant)},
    )
