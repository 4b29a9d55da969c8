"""Carrier-facing URLs (no language prefix: machines call them)."""

from django.urls import path

from . import views

app_name = "tracking"

urlpatterns = [
    path("webhooks/<slug:carrier>/", views.carrier_webhook, name="carrier_webhook"),
]
