"""Storefront flash-sale pages (/<lang>/flash/)."""

from django.urls import path

from . import views

app_name = "flash"

urlpatterns = [
    path("", views.flash_sales, name="sales"),
    path("live.json", views.flash_live, name="live"),
    path("item/<int:pk>/take/", views.flash_take, name="take"),
]
