"""Public merchant application routes (/<lang>/apply/)."""

from django.urls import path

from . import apply_views

app_name = "apply"

urlpatterns = [
    path("", apply_views.apply, name="start"),
    path("<int:pk>/", apply_views.status, name="status"),
    path("<int:pk>/edit/", apply_views.edit, name="edit"),
    path("<int:pk>/licence/", apply_views.licence, name="licence"),
]
