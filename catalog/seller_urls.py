"""Seller-portal routes for listings."""

urlpatterns: list = []
