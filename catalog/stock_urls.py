"""Seller-portal routes for stock and CSV import/export."""

urlpatterns: list = []
