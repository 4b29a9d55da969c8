"""Cart pages (under the language prefix: /en/cart/…, /zh-hans/cart/…)."""

from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("", views.cart, name="cart"),
    path("add/", views.add, name="add"),
    path("flash/<int:pk>/buy/", views.buy_now, name="buy_now"),
    path("lines/<int:line_id>/", views.update, name="update"),
    path("lines/<int:line_id>/remove/", views.remove, name="remove"),
    path("destination/", views.destination, name="destination"),
]
