"""The logistics app's row locks (docs/ARCHITECTURE.md, "Lock order").

A warehouse comes after the merchant that owns it and before any product or stock row (stock
services read warehouses and never lock them). Shipping methods are locked (pk order) while
their routes or the zones those use change, so two operators' edits cannot both pass the
"no two routes tie" check; a merchant's shipping terms come after its merchant row.
Shipments will take their places here. Locks are taken with ``marketplace.locking.for_update``; call
these inside ``transaction.atomic``.
"""

from __future__ import annotations

from collections.abc import Iterable

from logistics.models import Warehouse
from logistics.shipping.models import MerchantShipping, ShippingMethod
from marketplace.locking import for_update


def lock_warehouse(warehouse_id: int) -> Warehouse:
    """Lock one warehouse row (its kind, owner and active flag change under it)."""
    return for_update(Warehouse.objects).get(pk=warehouse_id)


def lock_shipping_methods(method_ids: Iterable[int]) -> list[ShippingMethod]:
    """Lock shipping methods in primary-key order, in one statement: their routes (and the
    zones those routes use) are checked against each other under these locks."""
    ids = sorted(set(method_ids))
    if not ids:
        return []
    return list(for_update(ShippingMethod.objects).filter(pk__in=ids).order_by("pk"))


def lock_merchant_shipping(merchant_id: int) -> MerchantShipping | None:
    """Lock the merchant's shipping terms, if it has any. Take
    ``merchants.lock_objects.lock_merchant`` first when the row may be created, so two first
    settings queue instead of colliding."""
    return for_update(MerchantShipping.objects).filter(merchant_id=merchant_id).first()
