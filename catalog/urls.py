"""Storefront pages (under the language prefix: /en/…, /zh-hans/…)."""

from django.urls import path

from .views import storefront

app_name = "storefront"

urlpatterns = [
    path("", storefront.home, name="home"),
    path("c/<slug:slug>/", storefront.category, name="category"),
    path("p/<int:pk>/", storefront.product, name="product_short"),
    path("p/<int:pk>/<slug:slug>/", storefront.product, name="product"),
    path("store/<slug:slug>/", storefront.merchant, name="merchant"),
    path("search/", storefront.search, name="search"),
]
