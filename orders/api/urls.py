"""/api/v1/cart/… and /api/v1/checkouts/… (included by marketplace.api.urls)."""

from django.urls import path

from . import checkouts, views

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="api-cart"),
    path("cart/lines/", views.CartLinesView.as_view(), name="api-cart-lines"),
    path("cart/lines/<int:line_id>/", views.CartLineView.as_view(), name="api-cart-line"),
    path("checkouts/", checkouts.CheckoutsView.as_view(), name="api-checkouts"),
    path("checkouts/<str:number>/", checkouts.CheckoutView.as_view(), name="api-checkout"),
]
