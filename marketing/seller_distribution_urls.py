"""Seller-portal distribution rates (/<lang>/seller/marketing/distribution/)."""

from django.urls import path

from . import distribution_views

app_name = "seller_distribution"

urlpatterns = [
    path("", distribution_views.SellerDistributionRatesView.as_view(), name="rates"),
]
