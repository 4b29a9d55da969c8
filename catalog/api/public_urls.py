"""Public catalog API routes (under /api/v1/)."""

from django.urls import path

from . import public

urlpatterns = [
    path("categories/", public.CategoryListView.as_view(), name="api-categories"),
    path("products/", public.ProductListView.as_view(), name="api-products"),
    path("products/<int:pk>/", public.ProductDetailView.as_view(), name="api-product"),
]
