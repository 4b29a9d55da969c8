"""Seller-portal fulfilment pages (under /<lang>/seller/shipments/)."""

from django.urls import path

from . import seller_views as views

app_name = "seller_shipments"

urlpatterns = [
    path("", views.ShipmentListView.as_view(), name="list"),
    path("pick-list/", views.PickListView.as_view(), name="picklist"),
    path("exceptions/", views.ExceptionListView.as_view(), name="exceptions"),
    path("<int:pk>/", views.ShipmentDetailView.as_view(), name="detail"),
    path("orders/<str:number>/", views.ShipmentCreateView.as_view(), name="create"),
    path("orders/<str:number>/pack/", views.OrderPackView.as_view(), name="pack"),
]
