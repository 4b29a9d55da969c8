"""The shopper's address book (``/<lang>/account/addresses/``): saved delivery addresses
(add, edit, delete, set the default) and saved customs identities (add, delete; the number
is shown masked only: these pages never read the encrypted number). Only the owner's rows:
another shopper's id is a 404, like one that does not exist. Writes through
``orders.services`` (``address_save``, ``address_delete``: the one address rule,
``address_clean``) and ``customs.services`` (``buyer_identity_save`` / ``_delete``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from customs.models import BuyerIdentity
from customs.selectors import buyer_identities_of
from customs.services import buyer_identity_delete, buyer_identity_save
from marketplace.forms import form_add_service_errors, form_error_messages
from orders.address_forms import SavedAddressForm, SavedIdentityForm
from orders.models import ADDRESS_FIELDS, SavedAddress
from orders.selectors.addresses import address_of, addresses_of
from orders.services import address_delete, address_save

LIST = "account_addresses:list"


def _own(request, pk: int) -> SavedAddress:
    saved = address_of(user=request.user, pk=pk)
    if saved is None:
        raise Http404
    return saved


def _page(request, *, form=None, identity_form=None, status=200):
    return render(
        request,
        "orders/account/addresses.html",
        {
            "addresses": list(addresses_of(user=request.user)),
            "identities": list(
                buyer_identities_of(user=request.user).only("pk", "name", "id_masked")
            ),
            "form": form or SavedAddressForm(initial={"country": "CN"}),
            "identity_form": identity_form or SavedIdentityForm(),
        },
        status=status,
    )


def _save(request, form: SavedAddressForm, saved: SavedAddress | None) -> bool:
    if not form.is_valid():
        return False
    try:
        address_save(
            user=request.user,
            address=form.address,
            label=form.cleaned_data.get("label", ""),
            default=form.cleaned_data.get("default", False),
            saved=saved,
        )
    except ValidationError as exc:
        form_add_service_errors(form, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def address_list(request):
    """The address book; POST adds an address."""
    if request.method == "GET":
        return _page(request)
    form = SavedAddressForm(request.POST)
    if not _save(request, form, None):
        return _page(request, form=form, status=400)
    messages.success(request, _("Address saved."))
    return redirect(LIST)


@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request, pk: int):
    saved = _own(request, pk)
    if request.method == "POST":
        form = SavedAddressForm(request.POST)
        if _save(request, form, saved):
            messages.success(request, _("Address saved."))
            return redirect(LIST)
        status = 400
    else:
        initial = {field: getattr(saved, field) for field in ADDRESS_FIELDS}
        form = SavedAddressForm(
            initial={**initial, "label": saved.label, "default": saved.is_default}
        )
        status = 200
    return render(
        request, "orders/account/address_edit.html", {"form": form, "saved": saved}, status=status
    )


@login_required
@require_POST
def address_remove(request, pk: int):
    address_delete(user=request.user, saved=_own(request, pk))
    messages.success(request, _("Address deleted."))
    return redirect(LIST)


@login_required
@require_POST
def address_make_default(request, pk: int):
    saved = _own(request, pk)
    address_save(
        user=request.user, address=saved.as_address(), label=saved.label, default=True, saved=saved
    )
    messages.success(request, _("This is now your default address."))
    return redirect(LIST)


@login_required
@require_POST
def identity_add(request):
    form = SavedIdentityForm(request.POST)
    if form.is_valid():
        try:
            buyer_identity_save(
                user=request.user,
                name=form.cleaned_data["name"],
                id_number=form.cleaned_data["id_number"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, {"id_number": "id_number"})
        else:
            messages.success(request, _("Identity saved."))
            return redirect(LIST)
    for message in form_error_messages(form):
        messages.error(request, message)
    return _page(request, identity_form=form, status=400)


@login_required
@require_POST
def identity_remove(request, pk: int):
    identity = BuyerIdentity.objects.filter(user=request.user, pk=pk).first()
    if identity is None:
        raise Http404
    buyer_identity_delete(identity=identity)
    messages.success(request, _("Identity deleted."))
    return redirect(LIST)
