"""Distribution pages (/<lang>/r/<code>/ share links and QR codes, /<lang>/distribution/)."""

from django.urls import path

from . import distribution_views, views

app_name = "distribution"

urlpatterns = [
    path("distribution/", views.distribution_dashboard, name="dashboard"),
    path("distribution/withdraw/", distribution_views.distribution_withdraw, name="withdraw"),
    path("r/<str:code>/", views.share, name="share"),
    path("r/<str:code>/qr.svg", views.share_qr, name="qr"),
    path("qr.svg", views.page_qr, name="page_qr"),
]
