"""Seller-portal return pages (under /<lang>/seller/returns/)."""

from django.urls import path, re_path

from . import seller_views as views

app_name = "seller_returns"

urlpatterns = [
    path("", views.ReturnListView.as_view(), name="list"),
    path("policy/", views.PolicyView.as_view(), name="policy"),
    path("<int:pk>/", views.ReturnDetailView.as_view(), name="detail"),
    path("<int:pk>/approve/", views.ReturnApproveView.as_view(), name="approve"),
    path("<int:pk>/decline/", views.ReturnDeclineView.as_view(), name="decline"),
    path("<int:pk>/receive/", views.ReturnReceiveView.as_view(), name="receive"),
    re_path(r"^(?P<pk>[0-9]+)/label\.pdf$", views.ReturnLabelView.as_view(), name="label"),
]
