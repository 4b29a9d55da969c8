"""Seller-portal coupons (/<lang>/seller/marketing/coupons/)."""

from django.urls import path

from . import views

app_name = "seller_coupons"

urlpatterns = [
    path("", views.SellerCouponListView.as_view(), name="list"),
    path("new/", views.SellerCouponCreateView.as_view(), name="create"),
    path("<int:pk>/", views.SellerCouponDetailView.as_view(), name="detail"),
]
