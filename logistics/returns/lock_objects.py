"""Row locks of returns (docs/ARCHITECTURE.md, "Lock order", slot 8: after the orders)."""

from __future__ import annotations

from marketplace.locking import for_update

from .models import ReturnRequest


def lock_return(request_id: int) -> ReturnRequest:
    """Lock a return request (its lines are written only under it), after its order."""
    return for_update(ReturnRequest.objects).get(pk=request_id)
