"""Seller-portal flash sales (/<lang>/seller/marketing/flash/)."""

from django.urls import path

from . import views

app_name = "seller_flash"

urlpatterns = [
    path("", views.SellerFlashSaleListView.as_view(), name="list"),
    path("new/", views.SellerFlashSaleCreateView.as_view(), name="create"),
    path("<int:pk>/", views.SellerFlashSaleDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.SellerFlashSaleEditView.as_view(), name="edit"),
]
