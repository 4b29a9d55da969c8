"""Catalog reads."""

from django.db.models import QuerySet

from catalog.models import Category


def categories_top() -> QuerySet[Category]:
    """Active top-level categories, in the operator's order."""
    return Category.objects.filter(parent__isnull=True, is_active=True).order_by("position", "slug")
