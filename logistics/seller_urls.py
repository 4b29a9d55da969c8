"""Seller-portal routes for warehouses (/<lang>/seller/stock/warehouses/)."""

from django.urls import path

from . import views

app_name = "warehouses"

urlpatterns = [
    path("", views.WarehouseListView.as_view(), name="list"),
    path("new/", views.WarehouseCreateView.as_view(), name="create"),
    path("<int:pk>/", views.WarehouseEditView.as_view(), name="edit"),
]
