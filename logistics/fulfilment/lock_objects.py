"""The fulfilment app's row locks (docs/ARCHITECTURE.md, "Lock order", slot 13: shipments
and parcels, after orders 8, stock 9 and declarations 12).

A parcel's status and dates change only under its lock; a shipment's parcels and their lines
are created under the order's lock (slot 8), before anything else can see them. Call these
inside ``transaction.atomic``.
"""

from __future__ import annotations

from collections.abc import Iterable

from marketplace.locking import for_update

from .models import Parcel, ParcelException, Shipment


def lock_shipment(shipment_id: int) -> Shipment:
    """Lock one shipment row (raises ``Shipment.DoesNotExist``)."""
    return for_update(Shipment.objects).get(pk=shipment_id)


def lock_parcels(parcel_ids: Iterable[int]) -> dict[int, Parcel]:
    """Lock the parcels ``parcel_ids`` in primary-key order, in one statement."""
    ids = sorted({int(pk) for pk in parcel_ids})
    return {p.pk: p for p in for_update(Parcel.objects).filter(pk__in=ids).order_by("pk")}


def lock_consignment(consignment_id: int):
    """Lock one master consignment (slot 13, before its parcels; raises ``DoesNotExist``)."""
    from .consignments import MasterConsignment

    return for_update(MasterConsignment.objects).get(pk=consignment_id)


def lock_parcel_exception(exception_id: int) -> ParcelException:
    """Lock one exception of the queue (after its order and parcel)."""
    return for_update(ParcelException.objects).get(pk=exception_id)
