"""Customs API routes (mounted under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .identities import BuyerIdentityViewSet
from .views import DutyQuoteSlashView, DutyQuoteView

router = SimpleRouter()
router.register("account/identities", BuyerIdentityViewSet, basename="api-buyer-identity")

urlpatterns = [
    path("duties/quote", DutyQuoteView.as_view(), name="api-duties-quote"),
    # Both spellings answer: clients differ on the trailing slash, and a POST cannot follow
    # the redirect APPEND_SLASH would send.
    path("duties/quote/", DutyQuoteSlashView.as_view(), name="api-duties-quote-slash"),
    *router.urls,
]
