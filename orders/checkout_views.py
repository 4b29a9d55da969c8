"""Checkout pages (under the language prefix: /en/checkout/…, /zh-hans/checkout/…).

- ``checkout``: the cart as it will be ordered: the destination address (fields per
  country), the payer's customs identity for imports into China, one section per future
  order with its shipping options and its duties line by line, the total; POST "update"
  re-plans for the address, options, coupons and points posted (no JavaScript needed; the
  preview prices the points as placing does, nothing debited), POST "place" calls
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
from marketing.coupons.services import coupon_claim_by_code
from marketing.points.selectors import points_summary
from marketing.points.services import points_redemption
from marketplace.currency import display_currency
from marketplace.digits import is_ascii_digits
from marketplace.forms import form_add_service_errors
from marketplace.i18n import page_language
from marketplace.services import personal_data_reveal
from orders.checkout_coupons import coupon_rows
from orders.checkout_forms import AddressForm, IdentityForm, new_idempotency_key
from orders.models import Checkout
from orders.refusals import refusal_hints
from orders.selectors import addresses_of, cart_view
from orders.services import (
    address_save,
    checkout_currency,
    checkout_payment,
    checkout_place,
    is_china_import,
)
from orders.services.checkout import checkout_preview_plan
from orders.shoppers import cart_of_request, destination_of, province_of, remember_destination
from payments.selectors import failure_message
from payments.services import payment_confirm, payment_sync

CHINA = "CN"


def _shipping_choices(request) -> dict[str, str]:
    """Group key -> method code, as posted (``ship-<key>`` radios)."""
    return {
        key[len("ship-") :]: value
        for key, value in request.POST.items()
        if key.startswith("ship-") and value
    }


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request):
    posted_key = request.POST.get("idempotency_key", "") if request.method == "POST" else ""
    if posted_key and request.POST.get("action") == "place":
        # a double click (or a resubmitted form) after the first one placed the checkout:
        # the cart is empty now, the shopper belongs on that checkout's pay page
        placed = Checkout.objects.filter(user=request.user, idempotency_key=posted_key).first()
        if placed is not None:
            return redirect("checkout:pay", number=placed.number)
    current = cart_of_request(request)
    if current is None:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    posted = request.method == "POST"
    data = request.POST if posted else None
    saved_addresses = list(addresses_of(user=request.user))
    default = next((a for a in saved_addresses if a.is_default), None)
    address_form = AddressForm(
        data,
        saved_addresses=saved_addresses,
        initial={
            "country": destination_of(request),
            "province": province_of(request),
            "saved": str(default.pk) if default else None,
        },
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
    currency = checkout_currency(destination=destination, display_currency=shown)
    choices = _shipping_choices(request) if posted else {}
    typed = _typed_coupon(request, address_form) if posted else []
    promotions, plan = checkout_preview_plan(
        view,
        user=request.user,
        claim_ids=_ticked_coupons(request) if posted else None,
        typed=typed,
        points=_chosen_points(request, address_form) if posted else None,
        currency=currency,
        province=province,
        id_number=id_number,
        choices=choices,
    )
    if not any(is_china_import(destination, group.mode) for group in plan.groups):
        identity_form = None
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
                coupons=promotions.claims_used,
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
            "points": points_summary(request.user.pk, history=False),
            "coupons": coupon_rows(promotions),
        },
    )


def _ticked_coupons(request) -> list[int] | None:
    """The claims ticked in the coupon picker; ``None`` (the best pick) when the posted form
    had no picker (``coupons-shown`` is the picker's hidden marker)."""
    if not request.POST.get("coupons-shown"):
        return None
    return [int(v) for v in request.POST.getlist("coupon") if is_ascii_digits(v)]


def _chosen_points(request, address_form):
    """The points the shopper chose to redeem, as the pipeline's input
    (``points_redemption``: the same rule placing applies, nothing debited), for the preview
    to price them; asking for more than the balance is shown on the field."""
    raw = request.POST.get(address_form.add_prefix("points"), "").strip()
    if not raw or not is_ascii_digits(raw):
        return None  # empty, or the form's own validation says what is wrong
    try:
        return points_redemption(user=request.user, requested=int(raw))
    except ValidationError as exc:
        form_add_service_errors(address_form, exc)
        return None


def _typed_coupon(request, address_form) -> list[int]:
    """A coupon code typed at checkout: the shopper's claim of it (claimed now if need be,
    ``coupon_claim_by_code``); a refusal is shown on the field."""
    code = request.POST.get(address_form.add_prefix("coupon_code"), "").strip()
    if not code:
        return []
    try:
        return [coupon_claim_by_code(code=code, user=request.user).pk]
    except ValidationError as exc:
        form_add_service_errors(address_form, ValidationError({"coupon_code": exc.messages}))
        return []


def _place(request, *, view, address_form, identity_form, plan, currency, key, coupons):
    """Place the checkout and start its payment; a refusal is shown on the forms."""
    address = address_form.address
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
            shipping={g.key: g.chosen.method_code for g in plan.groups if g.chosen is not None},
            currency=currency,
            language=page_language(),
            idempotency_key=key,
            points=address_form.cleaned_data.get("points") or 0,
            coupons=coupons,
        )
    except ValidationError as exc:
        _show_refusal(exc, address_form, identity_form)
        return None
    if (
        address_form.cleaned_data.get("remember")
        and not address_form.saved_pick
        # a double click comes back with the same checkout: the address is saved once
        and all(a.as_address() != address for a in addresses_of(user=request.user))
    ):
        try:
            address_save(user=request.user, address=address)
        except ValidationError as exc:  # e.g. too many saved addresses: placed all the same
            messages.warning(request, " ".join(exc.messages))
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


def _show_refusal(exc: ValidationError, address_form, identity_form) -> None:
    """``checkout_place``'s refusal on the forms: the address's keys on the address fields,
    ``identity`` on the identity fieldset, the rest (``lines``: the duty engine's blocks and
    cart problems; ``shipping``, ``cart``, ``currency``) at the top of the page. The address's
    street is also called ``lines``: only the address rules' codes go to that field."""
    if not hasattr(exc, "error_dict"):
        form_add_service_errors(address_form, exc)
        return
    for key, errors in exc.error_dict.items():
        if key == "identity" and identity_form is not None:
            form_add_service_errors(identity_form, ValidationError(errors))
        elif key == "lines":
            street = [e for e in errors if (e.code or "").startswith("address_")]
            other = [e for e in errors if e not in street]
            if street:
                form_add_service_errors(address_form, ValidationError({"lines": street}))
            if other:
                form_add_service_errors(address_form, ValidationError(other))
        else:
            form_add_service_errors(address_form, ValidationError({key: errors}))


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
            "payment_error": failure_message(payment),
            "stripe_js_url": settings.STRIPE_JS_URL,
            "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "return_url": request.build_absolute_uri(
                reverse("checkout:done", kwargs={"number": placed.number})
            ),
        },
    )


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
            failure = failure_message(payment)
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
