"""/api/v1/: every app's API routes are collected here."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("currencies/", views.CurrencyListView.as_view(), name="api-currencies"),
    path("currencies/convert/", views.ConvertView.as_view(), name="api-convert"),
    path("", include("merchants.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("logistics.api.urls")),
    path("", include("customs.api.urls")),
    path("", include("logistics.shipping.api")),
    path("", include("orders.api.urls")),
    path("", include("marketing.api.urls")),
    path("", include("marketing.distribution_api")),
    path("", include("logistics.fulfilment.api.urls")),
    path("", include("logistics.returns.api")),
    path("", include("marketing.points.api")),
    path("", include("marketing.points.seller_api")),
]
