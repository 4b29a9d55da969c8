"""Seller API routes for inventory (under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import stock

router = SimpleRouter(trailing_slash=True)
router.register("seller/stock", stock.SellerStockViewSet, basename="seller-stock")
router.register("seller/imports", stock.SellerImportJobViewSet, basename="seller-import")

urlpatterns = [
    path("seller/low-stock/", stock.SellerLowStockView.as_view(), name="seller-low-stock"),
    path("seller/exports/<str:kind>/", stock.SellerExportView.as_view(), name="seller-export"),
    *router.urls,
]
