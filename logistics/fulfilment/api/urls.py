"""Fulfilment's seller API routes (under /api/v1/)."""

from django.urls import path

from . import seller

urlpatterns = [
    path("seller/shipments/", seller.SellerShipmentsView.as_view(), name="api-seller-shipments"),
    path(
        "seller/shipments/<int:pk>/",
        seller.SellerShipmentView.as_view(),
        name="api-seller-shipment",
    ),
    path(
        "seller/parcel-exceptions/",
        seller.SellerParcelExceptionsView.as_view(),
        name="api-seller-parcel-exceptions",
    ),
]
