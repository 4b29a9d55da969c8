"""O2O store codes on the storefront (/<lang>/o2o/<code>/)."""

from django.urls import path

from . import o2o_views

app_name = "o2o"

urlpatterns = [path("o2o/<str:code>/", o2o_views.store_scan, name="scan")]
