"""Seller API routes for warehouses (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from . import seller

router = SimpleRouter(trailing_slash=True)
router.register("seller/warehouses", seller.SellerWarehouseViewSet, basename="seller-warehouse")

urlpatterns = router.urls
