"""Printing parcels' shipping labels and packing slips (PDF) from the seller portal and the
back office (docs/LOGISTICS.md, "Labels and packing slips").

Seller portal, under ``/<lang>/seller/parcels/`` (URL names for links from the shipment
pages):

- ``parcel_print:parcel`` (``pk``, ``kind``) — ``<pk>/label.pdf`` or ``<pk>/slip.pdf``: one
  parcel;
- ``parcel_print:batch`` (``kind``) — ``print/label.pdf?parcel=1&parcel=2…`` (or ``slip``):
  many parcels in one PDF, in the order of their ids.

Tenancy: parcels are looked up among the current merchant's (``Parcel.objects.for_merchant``);
another merchant's parcel, alone or in a batch, is a 404, exactly as one that does not exist.
Printing is fulfilment work: it needs ``manage_orders``.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext_lazy as _
from django.views import View

from marketplace.portal import SellerPortalMixin
from merchants.roles import Capability

from .labels import DOCUMENTS, for_printing
from .models import Parcel

BATCH_MAX = 200  # parcels in one PDF


def pdf_response(kind: str, parcels, filename: str) -> HttpResponse:
    response = HttpResponse(DOCUMENTS[kind](parcels), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _ids(values) -> list[int] | None:
    try:
        ids = sorted({int(v) for v in values})
    except (TypeError, ValueError):
        return None
    return ids if 0 < len(ids) <= BATCH_MAX else None


class ParcelPrintView(SellerPortalMixin, View):
    capability = Capability.MANAGE_ORDERS

    def get(self, request, pk: int, kind: str):
        parcels = list(for_printing(Parcel.objects.for_merchant(self.merchant).filter(pk=pk)))
        if not parcels:
            raise Http404
        return pdf_response(kind, parcels, f"{kind}-{parcels[0].waybill_number}.pdf")


class BatchPrintView(SellerPortalMixin, View):
    capability = Capability.MANAGE_ORDERS

    def get(self, request, kind: str):
        ids = _ids(request.GET.getlist("parcel"))
        if ids is None:
            return HttpResponseBadRequest(f"Give 1 to {BATCH_MAX} parcel ids as ?parcel=<id>.")
        parcels = list(for_printing(Parcel.objects.for_merchant(self.merchant).filter(pk__in=ids)))
        if len(parcels) != len(ids):
            raise Http404  # one of them is not this merchant's (or does not exist)
        return pdf_response(kind, parcels, f"{kind}s-{len(parcels)}.pdf")


def _admin_print(kind: str, request, queryset):
    ids = _ids(queryset.values_list("pk", flat=True)[: BATCH_MAX + 1])
    if ids is None:
        return HttpResponseBadRequest(f"Choose 1 to {BATCH_MAX} parcels.")
    return pdf_response(kind, for_printing(Parcel.objects.filter(pk__in=ids)), f"{kind}s.pdf")


@admin.action(description=_("Print shipping labels (PDF)"), permissions=["view"])
def print_labels(modeladmin, request, queryset):
    """Back office (Fulfilment → Parcels): the chosen parcels' labels, any merchant's."""
    return _admin_print("label", request, queryset)


@admin.action(description=_("Print packing slips (PDF)"), permissions=["view"])
def print_slips(modeladmin, request, queryset):
    return _admin_print("slip", request, queryset)
