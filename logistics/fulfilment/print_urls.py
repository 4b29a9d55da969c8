"""Seller-portal print routes for parcels (/<lang>/seller/parcels/): labels and packing
slips as PDF, one parcel or a batch (logistics/fulfilment/print_views.py)."""

from django.urls import re_path

from . import print_views as views

app_name = "parcel_print"

urlpatterns = [
    re_path(
        r"^(?P<pk>[0-9]+)/(?P<kind>label|slip)\.pdf$",
        views.ParcelPrintView.as_view(),
        name="parcel",
    ),
    re_path(r"^print/(?P<kind>label|slip)\.pdf$", views.BatchPrintView.as_view(), name="batch"),
]
