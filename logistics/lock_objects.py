"""The logistics app's row locks (docs/ARCHITECTURE.md, "Lock order").

A warehouse comes after the merchant that owns it and before any product or stock row (stock
services read warehouses and never lock them). Carriers, methods, rate tables and shipments
will take their places here. Locks are taken with ``marketplace.locking.for_update``; call
these inside ``transaction.atomic``.
"""

from __future__ import annotations

from logistics.models import Warehouse
from marketplace.locking import for_update


def lock_warehouse(warehouse_id: int) -> Warehouse:
    """Lock one warehouse row (its kind, owner and active flag change under it)."""
    return for_update(Warehouse.objects).get(pk=warehouse_id)
