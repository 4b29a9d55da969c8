"""Cart pages (under the language prefix): the cart with its split plan, and the POST
targets of the product page's and the cart page's forms. Each POST redirects (no page
depends on JavaScript); a refused change is told on the page it came from."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from marketing.flash.services import flash_admissions_fitting
from marketing.views import flash_take_admit, held_until
from marketplace.countries import country_name
from marketplace.currency import display_currency
from marketplace.forms import form_error_messages
from orders.forms import AddToCartForm, DestinationForm, QuantityForm
from orders.plan import cart_plan
from orders.selectors import cart_view
from orders.services import cart_add, cart_remove, cart_set_quantity
from orders.services.checkout import cart_gifts_preview
from orders.shoppers import (
    cart_for_write,
    cart_of_request,
    destination_of,
    province_of,
    remember_destination,
)


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _tell(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_GET
def cart(request):
    """The cart: every line with its state, then the future orders with shipping and
    duties, and the destination picker."""
    destination = destination_of(request)
    view = cart_view(cart_of_request(request), destination)
    province = province_of(request)
    plan = cart_plan(
        view,
        currency=display_currency(request),
        province=province,
        promote=cart_gifts_preview(user=request.user),
    )
    # the flash-sale units the shopper holds for these lines, as the checkout will use them
    held = {}
    if request.user.is_authenticated and view.lines:
        held = flash_admissions_fitting(
            user=request.user, lines=[(line.sku.id, line.quantity) for line in view.lines]
        )
    return render(
        request,
        "orders/cart.html",
        {
            "view": view,
            "lines": [(line, held.get(line.sku.id)) for line in view.lines],
            "plan": plan,
            "destination": destination,
            "destination_name": country_name(destination),
            "destination_form": DestinationForm(
                initial={"country": destination, "province": province}
            ),
        },
    )


@require_POST
def add(request):
    """Add a SKU from the product page; back to the cart, or to the page with the reason."""
    form = AddToCartForm(request.POST)
    cart_url = reverse("orders:cart")
    if not form.is_valid():
        for message in form_error_messages(form):
            messages.error(request, message)
        return redirect(_back(request, cart_url))
    try:
        cart_add(
            cart=cart_for_write(request),
            sku_id=form.cleaned_data["sku"],
            quantity=form.cleaned_data["quantity"],
            destination=destination_of(request),
        )
    except ValidationError as exc:
        _tell(request, exc)
        return redirect(_back(request, cart_url))
    messages.success(request, _("Added to your cart."))
    return redirect(cart_url)


@require_POST
def buy_now(request, pk: int):
    """The product page's "Buy now" for a flash-sale item: the shopper goes through the gate
    (``marketing.views.flash_take_admit``: refusals go back to the product page with the
    reason) and the admitted units go into the cart (``cart_add``), where the cart shows them
    at the flash price; the checkout uses the admission. Orders sits above marketing, so the
    cart's own layer does both (marketing cannot put units in the cart). If the cart refuses
    the line (it cannot ship to the destination, say), the units stay held and the shopper is
    told why, on the product page."""
    taken = flash_take_admit(request, pk)
    if isinstance(taken, HttpResponse):
        return taken
    admission, terms = taken
    try:
        cart_add(
            cart=cart_for_write(request),
            sku_id=terms.sku_id,
            quantity=admission.quantity,
            destination=destination_of(request),
        )
    except ValidationError as exc:
        _tell(request, exc)
        messages.info(
            request,
            _("Your %(n)s flash-price units are held for you until %(time)s.")
            % {"n": admission.quantity, "time": held_until(admission)},
        )
        return redirect("storefront:product", pk=terms.product_id, slug=terms.product_slug)
    messages.success(
        request,
        _(
            "You got %(n)s at the flash price: they are in your cart. Check out before "
            "%(time)s or they go back to other shoppers."
        )
        % {"n": admission.quantity, "time": held_until(admission)},
    )
    return redirect("orders:cart")


@require_POST
def update(request, line_id: int):
    """Change a line's quantity (0 removes it)."""
    form = QuantityForm(request.POST)
    current = cart_of_request(request)
    if current is None:
        return redirect("orders:cart")
    if not form.is_valid():
        for message in form_error_messages(form):
            messages.error(request, message)
        return redirect("orders:cart")
    try:
        cart_set_quantity(
            cart=current,
            line_id=line_id,
            quantity=form.cleaned_data["quantity"],
            destination=destination_of(request),
        )
    except ValidationError as exc:
        _tell(request, exc)
    return redirect("orders:cart")


@require_POST
def remove(request, line_id: int):
    current = cart_of_request(request)
    if current is not None:
        cart_remove(cart=current, line_id=line_id)
        messages.success(request, _("Removed from your cart."))
    return redirect("orders:cart")


@require_POST
def destination(request):
    """Remember the country the cart ships to (in the session)."""
    form = DestinationForm(request.POST)
    if form.is_valid():
        remember_destination(request, form.cleaned_data["country"], form.cleaned_data["province"])
    else:
        messages.error(request, _("Choose a country from the list."))
    return redirect("orders:cart")
