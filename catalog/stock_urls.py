"""Seller-portal routes for stock and CSV import/export (/<lang>/seller/stock/); the
warehouse pages under it are ``logistics.seller_urls``."""

from django.urls import path

from .views import stock as views

app_name = "stock"

urlpatterns = [
    path("", views.StockOverviewView.as_view(), name="overview"),
    path("low/", views.LowStockView.as_view(), name="low"),
    path("adjust/", views.StockAdjustView.as_view(), name="adjust"),
    path("<int:pk>/", views.StockDetailView.as_view(), name="detail"),
    path("imports/", views.ImportListView.as_view(), name="imports"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("export/<str:kind>.csv", views.ExportView.as_view(), name="export"),
]
