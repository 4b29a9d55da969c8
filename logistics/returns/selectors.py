"""Reads of returns: a merchant's returns for the portal, one return with what its page
shows, an order's returns for the shopper's order page."""

from __future__ import annotations

from .models import ReturnRequest


def _shape(queryset):
    return queryset.select_related(
        "order__checkout", "customs_declaration", "order__shipping_method__carrier"
    ).prefetch_related("lines__order_line")


def returns_for_merchant(merchant, *, status: str = ""):
    """The merchant's return requests, newest first (optionally of one status)."""
    found = _shape(ReturnRequest.objects.for_merchant(merchant))
    if status in ReturnRequest.Status.values:
        found = found.filter(status=status)
    return found


def return_for_merchant(merchant, pk: int) -> ReturnRequest:
    """The merchant's return ``pk`` with its lines and events (DoesNotExist for another
    merchant's)."""
    return (
        _shape(ReturnRequest.objects.for_merchant(merchant)).prefetch_related("events").get(pk=pk)
    )


def returns_of_order(order):
    """The order's returns, newest first, with their lines (the shopper's order page)."""
    return list(_shape(ReturnRequest.objects.filter(order=order)))


def customs_state(request: ReturnRequest) -> str:
    """Where the customs return stands: "" (none), "declared", "accepted", "refused"."""
    row = request.customs_declaration
    if row is None:
        return ""
    if row.state == row.State.DONE:
        return "accepted"
    if row.state in {row.State.REJECTED, row.State.DEAD, row.State.STOPPED}:
        return "refused"
    return "declared"
