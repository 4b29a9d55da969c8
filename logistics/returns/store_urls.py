"""A merchant's return policy page (under /<lang>/store/<slug>/returns/)."""

from django.urls import path

from . import views

app_name = "store_returns"

urlpatterns = [path("<slug:slug>/returns/", views.store_policy, name="policy")]
