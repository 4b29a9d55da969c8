from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register("seller/team", views.SellerTeamViewSet, basename="seller-team")

urlpatterns = [
    path("seller/merchant/", views.SellerMerchantView.as_view(), name="seller-merchant"),
    *router.urls,
]
