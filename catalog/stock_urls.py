"""Seller-portal routes for stock, warehouses and CSV import/export (/<lang>/seller/stock/)."""

from django.urls import path

from .views import stock as views

app_name = "stock"

urlpatterns = [
    path("", views.StockOverviewView.as_view(), name="overview"),
    path("low/", views.LowStockView.as_view(), name="low"),
    path("adjust/", views.StockAdjustView.as_view(), name="adjust"),
    path("<int:pk>/", views.StockDetailView.as_view(), name="detail"),
    path("warehouses/", views.WarehouseListView.as_view(), name="warehouses"),
    path("warehouses/new/", views.WarehouseCreateView.as_view(), name="warehouse_create"),
    path("warehouses/<int:pk>/", views.WarehouseEditView.as_view(), name="warehouse_edit"),
    path("imports/", views.ImportListView.as_view(), name="imports"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("export/<str:kind>.csv", views.ExportView.as_view(), name="export"),
]
