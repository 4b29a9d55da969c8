"""/api/v1/flash/…, /api/v1/coupons/… and /api/v1/seller/flash-sales/… (included by marketplace.api.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import seller, seller_gifts, views

router = SimpleRouter(trailing_slash=True)
router.register("seller/flash-sales", seller.SellerFlashSaleViewSet, basename="seller-flash-sale")
router.register(
    "seller/gift-promotions",
    seller_gifts.SellerGiftPromotionViewSet,
    basename="seller-gift-promotion",
)

urlpatterns = [
    *router.urls,
    path("flash/sales/", views.FlashSaleListView.as_view(), name="api-flash-sales"),
    path(
        "flash/items/<int:pk>/admissions/",
        views.FlashAdmitView.as_view(),
        name="api-flash-admit",
    ),
    path("flash/admissions/", views.FlashAdmissionListView.as_view(), name="api-flash-admissions"),
    path(
        "flash/admissions/<int:pk>/cancel/",
        views.FlashAdmissionCancelView.as_view(),
        name="api-flash-admission-cancel",
    ),
    path("coupons/", views.CouponListView.as_view(), name="api-coupons"),
    path("coupons/mine/", views.MyCouponsView.as_view(), name="api-coupons-mine"),
    path("coupons/claim/", views.CouponClaimByCodeView.as_view(), name="api-coupon-claim-code"),
    path("coupons/<int:pk>/claim/", views.CouponClaimView.as_view(), name="api-coupon-claim"),
]
