"""Storefront pages."""

from django.shortcuts import render

from merchants.selectors import merchants_public

from .selectors import categories_top


def home(request):
    """The storefront home: categories and the merchants selling here."""
    return render(
        request,
        "storefront/home.html",
        {"categories": list(categories_top()), "merchants": list(merchants_public())},
    )
