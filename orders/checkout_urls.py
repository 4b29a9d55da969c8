"""Checkout pages (under the language prefix: /en/checkout/…, /zh-hans/checkout/…)."""

from django.urls import path

from . import checkout_views as views

app_name = "checkout"

urlpatterns = [
    path("", views.checkout, name="checkout"),
    path("<str:number>/pay/", views.pay, name="pay"),
    path("<str:number>/done/", views.done, name="done"),
]
