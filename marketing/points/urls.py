"""The shopper's points page (/<lang>/account/points/)."""

from django.urls import path

from . import views

app_name = "points"

urlpatterns = [path("", views.points_page, name="page")]
