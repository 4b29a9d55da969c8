"""Saved addresses: the account's address book (checkout copies one into the checkout)."""

from __future__ import annotations

from orders.models import SavedAddress


def addresses_of(*, user):
    """``user``'s saved addresses, the default first, then oldest first."""
    return SavedAddress.objects.filter(user=user).order_by("-is_default", "created_at", "id")


def address_of(*, user, pk) -> SavedAddress | None:
    """One of ``user``'s saved addresses, or None (another shopper's is None too)."""
    return SavedAddress.objects.filter(user=user, pk=pk).first()


def address_default(*, user) -> SavedAddress | None:
    """``user``'s default address, or None when they saved none."""
    return SavedAddress.objects.filter(user=user, is_default=True).first()
