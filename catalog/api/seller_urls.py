"""Seller catalog API routes (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from . import seller

router = SimpleRouter(trailing_slash=True)
router.register("seller/products", seller.SellerProductViewSet, basename="seller-product")

urlpatterns = router.urls
