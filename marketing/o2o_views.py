"""O2O pages: a store code's landing link and QR code (``/<lang>/o2o/<code>/``) and the
seller portal's stores (``/<lang>/seller/marketing/stores/``)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import FormView, View

from marketplace.forms import form_add_service_errors
from marketplace.portal import SellerPortalMixin
from merchants.roles import Capability

from .distribution.selectors import qr_png, qr_svg
from .o2o.models import OfflineStore
from .o2o.selectors import merchant_stores
from .o2o.services import SESSION_KEY, offline_store_create, store_scan_record


def store_url(store: OfflineStore) -> str:
    return settings.SITE_URL + reverse("o2o:scan", args=[store.code])


@require_GET
def store_scan(request, code: str):
    """A store's QR code was scanned: record it and open the merchant's store page."""
    store = get_object_or_404(
        OfflineStore.objects.select_related("merchant"), code=code, is_active=True
    )
    scan = store_scan_record(code=code, user=request.user)
    if scan is not None and not request.user.is_authenticated:
        request.session[SESSION_KEY] = scan.pk  # bound to the account at log-in
    return HttpResponseRedirect(reverse("storefront:merchant", args=[store.merchant.slug]))


class StoreForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)


class SellerStoresView(SellerPortalMixin, FormView):
    """The merchant's offline stores with their report, and a form to add one."""

    template_name = "seller/marketing/stores.html"
    form_class = StoreForm
    write_capability = Capability.MANAGE_CATALOG

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stores"] = [(s, store_url(s)) for s in merchant_stores(self.merchant)]
        return context

    def form_valid(self, form):
        try:
            offline_store_create(merchant=self.merchant, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc, {})
            return self.form_invalid(form)
        messages.success(self.request, gettext("Store added: print its QR code."))
        return redirect("seller_stores:list")


class SellerStoreQRView(SellerPortalMixin, View):
    """A store's QR code (SVG; ``?format=png`` for print): another merchant's is a 404."""

    def get(self, request, pk: int):
        store = get_object_or_404(OfflineStore.objects.for_merchant(self.merchant), pk=pk)
        if request.GET.get("format") == "png":
            return HttpResponse(qr_png(store_url(store)), content_type="image/png")
        return HttpResponse(qr_svg(store_url(store)), content_type="image/svg+xml")
