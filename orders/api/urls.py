"""/api/v1/cart/… (included by marketplace.api.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="api-cart"),
    path("cart/lines/", views.CartLinesView.as_view(), name="api-cart-lines"),
    path("cart/lines/<int:line_id>/", views.CartLineView.as_view(), name="api-cart-line"),
]
