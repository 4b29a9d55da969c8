"""Checkout pages (under the language prefix: /en/checkout/…, /zh-hans/checkout/…).

- ``checkout``: the cart as it will be ordered: the destination address (fields per
  country), the payer's customs identity for imports into China, one section per future
  order with its shipping options and its duties line by line, the total; POST "update"
  re-plans for the address and options posted (no JavaScript needed), POST "place" calls
  ``orders.services.checkout_place`` and goes to the pay page.
- ``pay``: the orders placed, the total, the reservations' expiry, Stripe's card Element
  (Stripe.js, the one external script, from ``settings.STRIPE_JS_URL``).
- ``done``: where Stripe.js sends the shopper back: syncs the payment
  (``payments.services.payment_sync``) and shows the paid orders, or the card's reason and
  a retry.

What the page shows is ``orders.plan.cart_plan`` in the checkout currency, the same
function ``checkout_place`` prices with, so the page and the placed orders agree.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from customs.selectors import buyer_identities_of
from customs.services.identities import buyer_identity_save
from marketplace.currency import display_currency
from marketplace.forms import form_add_service_errors
from marketplace.i18n import page_language
from marketplace.services import personal_data_reveal
from orders.checkout_forms import AddressForm, IdentityForm, new_idempotency_key
from orders.plan import cart_plan
from orders.models import Checkout
from orders.refusals import card_failure_text, refusal_hints
from orders.services import checkout_payment, checkout_place
from payments.services import payment_confirm, payment_sync
from orders.selectors import cart_view
from orders.shoppers import cart_of_request, destination_of, province_of, remember_destination

CHINA = "CN"


def checkout_currency(destination: str, shown: str) -> str:
    """The currency the checkout is charged in: CNY for imports into China (customs wants
    the payment in yuan, to the fen), else the shopper's display currency."""
    return "CNY" if destination == CHINA else shown


def _saved_addresses(user) -> list[dict]:
    """The shopper's saved addresses as the form lists them (``id``, ``label`` and the
    address fields)."""
    try:
        from orders.selectors import saved_addresses_of
    except ImportError:  # saved addresses land with the checkout services
        return []
    return [
        {**address.as_dict(), "id": address.pk, "label": address.label}
        for address in saved_addresses_of(user=user)
    ]


def _shipping_choices(request, plan_groups=None) -> dict[str, str]:
    """Group key -> method code, as posted (``ship-<key>`` radios)."""
    return {
        key[len("ship-") :]: value
        for key, value in request.POST.items()
        if key.startswith("ship-") and value
    }


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request):
    current = cart_of_request(request)
    if current is None:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    posted = request.method == "POST"
    data = request.POST if posted else None
    address_form = AddressForm(
        data,
        saved_addresses=_saved_addresses(request.user),
        initial={"country": destination_of(request), "province": province_of(request)},
    )
    destination = address_form.destination
    province = address_form.destination_province
    if posted:
        remember_destination(request, destination, province)
    view = cart_view(current, destination)
    if not view.lines:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    if not view.can_check_out:
        messages.error(request, _("Some items in your cart cannot be ordered: see each item."))
        return redirect("orders:cart")

    identity_form = None
    id_number = None
    if destination == CHINA:
        identities = list(buyer_identities_of(user=request.user))
        identity_form = IdentityForm(
            data,
            saved_identities=identities,
            initial={"saved": str(identities[0].pk)} if identities else {},
        )
        saved = identity_form.chosen_saved()
        if saved is not None:
            # the engine counts the buyer's yearly total only for an identity saved on the
            # account (customs.selectors.quota_visible_to); the read is audited
            id_number = personal_data_reveal(
                obj=saved, field="id_number", by=request.user, purpose="checkout duty quote"
            )

    shown = display_currency(request)
    currency = checkout_currency(destination, shown)
    choices = _shipping_choices(request) if posted else {}
    plan = cart_plan(
        view, currency=currency, province=province, id_number=id_number, shipping=choices
    )
    key = request.POST.get("idempotency_key") if posted else ""
    key = key or new_idempotency_key()

    if posted and request.POST.get("action") == "place":
        forms_ok = address_form.is_valid()
        if identity_form is not None:
            forms_ok = identity_form.is_valid() and forms_ok
        if forms_ok and plan.can_place:
            placed = _place(
                request,
                view=view,
                address_form=address_form,
                identity_form=identity_form,
                plan=plan,
                currency=currency,
                key=key,
            )
            if placed is not None:
                return redirect("checkout:pay", number=placed.number)
        elif forms_ok:
            address_form.add_error(None, _("Some of your orders cannot be placed: see below."))

    return render(
        request,
        "orders/checkout.html",
        {
            "view": view,
            "plan": plan,
            "address_form": address_form,
            "identity_form": identity_form,
            "idempotency_key": key,
            "checkout_currency": currency,
            "shown_currency": shown,
            "groups": [(group, refusal_hints(group)) for group in plan.groups],
        },
    )


def _place(request, *, view, address_form, identity_form, plan, currency, key):
    """Place the checkout and start its payment; a refusal is shown on the forms."""
    address = {k: v for k, v in address_form.address.items() if k != "saved_id"}
    identity = None
    if identity_form is not None:
        identity = dict(identity_form.identity)
        identity["phone"] = identity.get("phone") or address.get("phone", "")
    try:
        placed = checkout_place(
            user=request.user,
            cart=view.cart,
            address=address,
            identity=identity,
            shipping={group.key: group.chosen.method_code for group in plan.groups},
            currency=currency,
            language=page_language(),
            idempotency_key=key,
        )
    except ValidationError as exc:
        target = address_form
        if (
            identity_form is not None
            and hasattr(exc, "error_dict")
            and set(exc.message_dict) & {"identity", "id_number", "name"}
        ):
            target = identity_form
        form_add_service_errors(target, exc)
        return None
    if (
        identity_form is not None
        and identity_form.cleaned_data.get("remember")
        and "id_number" in identity
    ):
        buyer_identity_save(
            user=request.user, name=identity["name"], id_number=identity["id_number"]
        )
    try:
        checkout_payment(checkout=placed)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return placed


def _checkout_of(request, number: str):
    """The shopper's own checkout ``number`` with its orders (404 for anyone else's)."""
    found = (
        Checkout.objects.filter(number=number, user=request.user)
        .prefetch_related("orders__lines", "orders__merchant")
        .first()
    )
    if found is None:
        raise Http404
    return found


@login_required
@require_http_methods(["GET", "POST"])
def pay(request, number: str):
    """The pay page: the orders, the total, the card form (Stripe.js). The card form posts
    here (JSON) the card Stripe.js made: it is attached to the checkout's PaymentIntent and
    confirmed; the answer says whether the bank wants 3-D Secure."""
    placed = _checkout_of(request, number)
    if placed.status != Checkout.Status.AWAITING_PAYMENT or placed.expires_at <= timezone.now():
        if request.method == "POST":
            return JsonResponse({"status": placed.status})
        return redirect("checkout:done", number=placed.number)
    payment = checkout_payment(checkout=placed)
    if request.method == "POST":
        method = request.POST.get("payment_method", "")
        try:
            payment = payment_confirm(payment=payment, payment_method=method)
        except ValidationError as exc:
            return JsonResponse({"status": "failed", "message": " ".join(exc.messages)})
        return JsonResponse({"status": payment.status})
    return render(
        request,
        "orders/checkout_pay.html",
        {
            "checkout": placed,
            "orders": list(placed.orders.all()),
            "client_secret": payment.client_secret,
            "payment_error": _failure(payment),
            "stripe_js_url": settings.STRIPE_JS_URL,
            "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "return_url": request.build_absolute_uri(
                reverse("checkout:done", kwargs={"number": placed.number})
            ),
        },
    )


def _failure(payment) -> str:
    """The card's reason the last attempt failed, in the page language ("" if none)."""
    code = getattr(payment, "failure_code", "")
    return card_failure_text(code) if code else ""


@login_required
@require_GET
def done(request, number: str):
    """Back from Stripe.js: sync the payment, show the paid orders or why the card failed."""
    placed = _checkout_of(request, number)
    failure = ""
    paid_pending = False
    if placed.status == Checkout.Status.AWAITING_PAYMENT:
        payment = payment_sync(payment=checkout_payment(checkout=placed))
        placed = _checkout_of(request, number)
        if placed.status == Checkout.Status.AWAITING_PAYMENT:
            paid_pending = payment.status == "succeeded"
            failure = _failure(payment)
    return render(
        request,
        "orders/checkout_done.html",
        {
            "checkout": placed,
            "orders": list(placed.orders.all()),
            "failure": failure,
            "paid_pending": paid_pending,
        },
    )
