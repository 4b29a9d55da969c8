"""Seller-portal offline stores and their QR codes (/<lang>/seller/marketing/stores/)."""

from django.urls import path

from . import o2o_views

app_name = "seller_stores"

urlpatterns = [
    path("", o2o_views.SellerStoresView.as_view(), name="list"),
    path("<int:pk>/", o2o_views.SellerStoreDetailView.as_view(), name="detail"),
    path("<int:pk>/qr.svg", o2o_views.SellerStoreQRView.as_view(), name="qr"),
    path("<int:pk>/staff/", o2o_views.SellerStoreStaffView.as_view(), name="staff"),
    path("<int:pk>/poster.pdf", o2o_views.SellerStorePosterView.as_view(), name="poster"),
]
