"""Seller-portal points rates (/<lang>/seller/marketing/points/)."""

from django.urls import path

from .points import seller_views

app_name = "seller_points"

urlpatterns = [
    path("", seller_views.SellerPointsRatesView.as_view(), name="rates"),
    path("<int:pk>/delete/", seller_views.SellerPointsRateDeleteView.as_view(), name="delete"),
]
