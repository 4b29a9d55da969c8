"""Shopper pages of fulfilment (under the language prefix: /en/track/, /zh-hans/track/)."""

from django.urls import path

from . import pages

app_name = "fulfilment"

urlpatterns = [path("", pages.track, name="track")]
