"""Storefront pages."""

from django.shortcuts import render

from catalog.selectors.storefront import categories_top
from merchants.selectors import merchants_public


def home(request):
    """The storefront home: categories and the merchants selling here."""
    return render(
        request,
        "storefront/home.html",
        {"categories": list(categories_top()), "merchants": list(merchants_public())},
    )
