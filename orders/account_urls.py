"""The shopper's order pages (under the language prefix: /en/account/orders/…)."""

from django.urls import path

from . import account_views as views

app_name = "account_orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("<str:number>/", views.order_page, name="detail"),
    path("<str:number>/cancel/", views.order_cancel, name="cancel"),
    path("<str:number>/refund/", views.refund_request, name="refund_request"),
]
