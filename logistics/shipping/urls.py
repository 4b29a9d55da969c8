"""Seller-portal routes for shipping terms (/<lang>/seller/shipping/)."""

from django.urls import path

from . import views

app_name = "shipping"

urlpatterns = [
    path("", views.FreeShippingView.as_view(), name="free_shipping"),
]
