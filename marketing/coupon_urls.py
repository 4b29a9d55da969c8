"""Storefront coupon centre (/<lang>/coupons/)."""

from django.urls import path

from . import views

app_name = "coupons"

urlpatterns = [
    path("", views.coupon_centre, name="centre"),
    path("<int:pk>/claim/", views.coupon_take, name="claim"),
]
