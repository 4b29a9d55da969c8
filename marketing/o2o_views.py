"""O2O pages: a store code's landing link and QR code (``/<lang>/o2o/<code>/``, with
``?p=<product>`` for one product's code) and the seller portal's stores
(``/<lang>/seller/marketing/stores/``: the list, one store's page with its orders, its QR codes
and its printable poster)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import FormView, View

from catalog.selectors.storefront import products_visible
from marketplace.digits import ascii_int
from marketplace.forms import form_add_service_errors
from marketplace.portal import SellerPortalMixin
from merchants.models import Membership
from merchants.roles import Capability, Role

from .distribution.selectors import qr_png, qr_svg
from .o2o.models import OfflineStore
from .o2o.posters import store_poster_pdf
from .o2o.selectors import member_stores, store_orders
from .o2o.services import (
    SESSION_KEY,
    offline_store_create,
    offline_store_staff_set,
    offline_store_update,
    store_scan_record,
)


def store_url(store: OfflineStore, product=None) -> str:
    url = settings.SITE_URL + reverse("o2o:scan", args=[store.code])
    return f"{url}?p={product.pk}" if product is not None else url


def store_product(store: OfflineStore, value):
    """The store's merchant's visible product numbered ``value`` (a query value), or None."""
    pk = ascii_int(str(value or ""))
    if pk is None or pk <= 0:
        return None
    return products_visible().filter(merchant_id=store.merchant_id, pk=pk).first()


@require_GET
def store_scan(request, code: str):
    """A store's QR code was scanned: record it and open the merchant's store page, or the
    product its code names (``?p=``: one of that merchant's products shoppers may see;
    anything else opens the store page)."""
    store = get_object_or_404(
        OfflineStore.objects.select_related("merchant"), code=code, is_active=True
    )
    scan = store_scan_record(code=code, user=request.user)
    if scan is not None and not request.user.is_authenticated:
        request.session[SESSION_KEY] = scan.pk  # bound to the account at log-in
    product = store_product(store, request.GET.get("p"))
    if product is not None:
        return HttpResponseRedirect(reverse("storefront:product", args=[product.pk, product.slug]))
    return HttpResponseRedirect(reverse("storefront:merchant", args=[store.merchant.slug]))


class StoreForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        max_length=120,
        required=False,
        help_text=_("As customers should read it, e.g. Mon–Sat 10:00–20:00"),
    )


class StoreEditForm(StoreForm):
    is_active = forms.BooleanField(
        label=_("Open (its code brings orders)"), required=False, initial=True
    )


class SellerStoresView(SellerPortalMixin, FormView):
    """The merchant's offline stores with their report, and a form to add one."""

    template_name = "seller/marketing/stores.html"
    form_class = StoreForm
    capability = Capability.VIEW_STORES
    write_capability = Capability.MANAGE_CATALOG

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # store staff: only the stores they are assigned to (``member_stores``)
        context["stores"] = [(s, store_url(s)) for s in member_stores(self.membership)]
        return context

    def form_valid(self, form):
        try:
            offline_store_create(merchant=self.merchant, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc, {})
            return self.form_invalid(form)
        messages.success(self.request, gettext("Store added: print its QR code."))
        return redirect("seller_stores:list")


class SellerStoreMixin(SellerPortalMixin):
    """One store's pages: another merchant's store, and for store staff a store they are not
    assigned to, is a 404 (``member_stores``)."""

    capability = Capability.VIEW_STORES

    def get_store(self) -> OfflineStore:
        return get_object_or_404(member_stores(self.membership), pk=self.kwargs["pk"])


class SellerStoreQRView(SellerStoreMixin, View):
    """A store's QR code (SVG; ``?format=png`` for print; ``?product=`` for one product's
    code): another merchant's store is a 404."""

    def get(self, request, pk: int):
        store = self.get_store()
        url = store_url(store, store_product(store, request.GET.get("product")))
        if request.GET.get("format") == "png":
            return HttpResponse(qr_png(url), content_type="image/png")
        return HttpResponse(qr_svg(url), content_type="image/svg+xml")


class SellerStorePosterView(SellerStoreMixin, View):
    """The store's A4 poster as PDF (``?product=`` for one product's poster)."""

    def get(self, request, pk: int):
        store = self.get_store()
        product = store_product(store, request.GET.get("product"))
        pdf = store_poster_pdf(
            url=store_url(store, product),
            store_name=store.name,
            merchant_name=self.merchant.name,
            address=store.address,
            opening_hours=store.opening_hours,
            product_name=product.name if product is not None else "",
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="poster-{store.code}.pdf"'
        return response


class SellerStoreDetailView(SellerStoreMixin, FormView):
    """One store: its figures, the orders it brought, its QR codes and poster (for the store
    or one product), and the form to edit it."""

    template_name = "seller/marketing/store_detail.html"
    form_class = StoreEditForm
    write_capability = Capability.MANAGE_CATALOG

    def get_store(self) -> OfflineStore:
        """The store with its figures (``member_stores``), read once per request."""
        if getattr(self, "_store", None) is None:
            self._store = super().get_store()
        return self._store

    def get_initial(self):
        store = self.get_store()
        return {
            "name": store.name,
            "address": store.address,
            "opening_hours": store.opening_hours,
            "is_active": store.is_active,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        store = self.get_store()
        product = store_product(store, self.request.GET.get("product"))
        context.update(
            store=store,
            url=store_url(store, product),
            product=product,
            products=products_visible().filter(merchant=self.merchant).order_by("pk")[:200],
            orders=store_orders(store),
        )
        return context

    def form_valid(self, form):
        try:
            offline_store_update(store=self.get_store(), **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc, {})
            return self.form_invalid(form)
        messages.success(self.request, gettext("Store saved."))
        return redirect("seller_stores:detail", pk=self.kwargs["pk"])


class StoreStaffForm(forms.Form):
    staff = forms.MultipleChoiceField(
        label=_("Store staff who work here"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, store: OfflineStore, **kwargs):
        super().__init__(*args, **kwargs)
        members = list(
            Membership.objects.filter(
                merchant_id=store.merchant_id, role=Role.STORE_STAFF, is_active=True
            )
            .select_related("user")
            .annotate(
                here=Exists(
                    OfflineStore.staff.through.objects.filter(
                        offlinestore_id=store.pk, membership_id=OuterRef("pk")
                    )
                )
            )
            .order_by("pk")
        )
        self.fields["staff"].choices = [(m.pk, str(m.user)) for m in members]
        self.initial.setdefault("staff", [m.pk for m in members if m.here])


class SellerStoreStaffView(SellerStoreMixin, FormView):
    """Who works at a store: team members with the store-staff role, who then see only the
    stores they are assigned to (capability ``manage_team``: who sees what is a team matter)."""

    template_name = "seller/marketing/store_staff.html"
    form_class = StoreStaffForm
    capability = Capability.MANAGE_TEAM

    def get_store(self) -> OfflineStore:
        if getattr(self, "_store", None) is None:
            self._store = get_object_or_404(
                OfflineStore.objects.for_merchant(self.merchant), pk=self.kwargs["pk"]
            )
        return self._store

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "store": self.get_store()}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "store": self.get_store()}

    def form_valid(self, form):
        try:
            offline_store_staff_set(
                store=self.get_store(), membership_ids=form.cleaned_data["staff"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, {})
            return self.form_invalid(form)
        messages.success(self.request, gettext("Store staff saved."))
        return redirect("seller_stores:detail", pk=self.kwargs["pk"])
