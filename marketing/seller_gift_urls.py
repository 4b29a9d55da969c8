"""Seller-portal gifts with purchase (/<lang>/seller/marketing/gifts/)."""

from django.urls import path

from . import views

app_name = "seller_gifts"

urlpatterns = [
    path("", views.SellerGiftListView.as_view(), name="list"),
    path("new/", views.SellerGiftCreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.SellerGiftEditView.as_view(), name="edit"),
]
