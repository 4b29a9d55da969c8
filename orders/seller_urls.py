"""Seller-portal order pages (under /<lang>/seller/orders/)."""

from django.urls import path

from . import seller_views as views

app_name = "seller_orders"

urlpatterns = [
    path("", views.OrderListView.as_view(), name="list"),
    path("<str:number>/", views.OrderDetailView.as_view(), name="detail"),
    path("<str:number>/accept/", views.OrderAcceptView.as_view(), name="accept"),
    path("<str:number>/note/", views.OrderNoteView.as_view(), name="note"),
    path("<str:number>/refund/", views.OrderRefundView.as_view(), name="refund"),
    path(
        "<str:number>/refund-requests/<int:pk>/approve/",
        views.RefundRequestApproveView.as_view(),
        name="approve_refund_request",
    ),
    path(
        "<str:number>/refund-requests/<int:pk>/decline/",
        views.RefundRequestDeclineView.as_view(),
        name="decline_refund_request",
    ),
]
