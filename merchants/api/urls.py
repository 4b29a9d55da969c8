from django.urls import path
from rest_framework.routers import SimpleRouter

from . import onboarding, views

router = SimpleRouter(trailing_slash=True)
router.register("seller/team", views.SellerTeamViewSet, basename="seller-team")
router.register("seller/invitations", views.SellerInvitationViewSet, basename="seller-invitation")
router.register(
    "onboarding/applications", onboarding.ApplicationViewSet, basename="onboarding-application"
)

urlpatterns = [
    path("seller/merchant/", views.SellerMerchantView.as_view(), name="seller-merchant"),
    path(
        "seller/merchant/events/",
        views.SellerMerchantEventsView.as_view(),
        name="seller-merchant-events",
    ),
    path("seller/commission/", views.SellerCommissionView.as_view(), name="seller-commission"),
    path("seller/payout/", views.SellerPayoutView.as_view(), name="seller-payout"),
    *router.urls,
]
