"""Catalog API routes: public (storefront) and seller endpoints."""

from django.urls import include, path

urlpatterns = [
    path("", include("catalog.api.public_urls")),
    path("", include("catalog.api.seller_urls")),
    path("", include("catalog.api.stock_urls")),
]
