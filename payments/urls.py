"""Payments' URLs (no language prefix: Stripe calls them)."""

from django.urls import path

from .views import StripeWebhookView

app_name = "payments"

urlpatterns = [
    path("stripe/webhook/", StripeWebhookView.as_view(), name="stripe_webhook"),
]
