"""/api/v1/cart/…, /api/v1/addresses/…, /api/v1/checkouts/…, /api/v1/orders/… and /api/v1/seller/orders/…
(included by marketplace.api.urls)."""

from django.urls import path

from . import addresses, checkouts, orders, views

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="api-cart"),
    path("cart/lines/", views.CartLinesView.as_view(), name="api-cart-lines"),
    path("cart/lines/<int:line_id>/", views.CartLineView.as_view(), name="api-cart-line"),
    path("orders/", orders.OrderListView.as_view(), name="api-orders"),
    path("orders/<str:number>/", orders.OrderDetailView.as_view(), name="api-order"),
    path("orders/<str:number>/cancel/", orders.OrderCancelView.as_view(), name="api-order-cancel"),
    path(
        "orders/<str:number>/refund-requests/",
        orders.OrderRefundRequestView.as_view(),
        name="api-order-refund-requests",
    ),
    path("seller/orders/", orders.SellerOrderListView.as_view(), name="api-seller-orders"),
    path(
        "seller/orders/<str:number>/",
        orders.SellerOrderDetailView.as_view(),
        name="api-seller-order",
    ),
    path(
        "seller/orders/<str:number>/accept/",
        orders.SellerOrderAcceptView.as_view(),
        name="api-seller-order-accept",
    ),
    path(
        "seller/orders/<str:number>/note/",
        orders.SellerOrderNoteView.as_view(),
        name="api-seller-order-note",
    ),
    path(
        "seller/orders/<str:number>/refund/",
        orders.SellerOrderRefundView.as_view(),
        name="api-seller-order-refund",
    ),
    path(
        "seller/orders/<str:number>/refund-requests/<int:pk>/approve/",
        orders.SellerRefundRequestApproveView.as_view(),
        name="api-seller-order-refund-request-approve",
    ),
    path(
        "seller/orders/<str:number>/refund-requests/<int:pk>/decline/",
        orders.SellerRefundRequestDeclineView.as_view(),
        name="api-seller-order-refund-request-decline",
    ),
    path("addresses/", addresses.AddressesView.as_view(), name="api-addresses"),
    path("addresses/<int:pk>/", addresses.AddressView.as_view(), name="api-address"),
    path("checkouts/", checkouts.CheckoutsView.as_view(), name="api-checkouts"),
    path("checkouts/<str:number>/", checkouts.CheckoutView.as_view(), name="api-checkout"),
]
