"""The fulfilment app's outbox handlers: booking packed parcels with their carrier.

``shipment_create`` enqueues one ``fulfilment.carrier_booking`` per parcel in its
transaction; a worker posts the booking to the carrier's ``booking_url`` (the carrier
simulator's ``POST /shipments``) outside any lock. At least once: the carrier's booking is
idempotent per waybill, and ``Parcel.booked_at`` is recorded once it answered.
"""

from __future__ import annotations

import requests
from django.utils import timezone

from marketplace.clearance import ClearanceMode
from marketplace.outbox import outbox_handler

from .models import CarrierFeed, Parcel
from .services.consolidation import MANIFEST_ENTERED, consignment_entered

CARRIER_BOOKING = "fulfilment.carrier_booking"

# Destinations of tracking.md's slow lane (25–30 days).
SLOW_LANE = {"RU", "BR", "AR", "CL", "PE", "CO"}


def route_key(parcel: Parcel) -> str:
    """The kind of journey a parcel makes, in tracking.md's transit-time table."""
    order = parcel.order
    destination = (order.checkout.address or {}).get("country", "")
    if order.clearance_mode == ClearanceMode.BONDED:
        return "bonded_domestic"
    if destination == "CN":
        return "direct_china"
    if destination in SLOW_LANE:
        return "russia_south_america"
    kind = order.shipping_method.kind
    return {"express": "express", "dedicated_line": "dedicated_line"}.get(kind, "postal")


@outbox_handler(CARRIER_BOOKING, queue="default")
def book_parcel(payload: dict) -> bool:
    """Book parcel ``payload["parcel_id"]`` with its carrier (its feed's ``booking_url``)."""
    parcel = (
        Parcel.objects.select_related(
            "carrier", "order__checkout", "order__shipping_method", "shipment__warehouse"
        )
        .filter(pk=payload["parcel_id"])
        .first()
    )
    if parcel is None or parcel.booked_at is not None:
        return False
    feed = CarrierFeed.objects.filter(carrier_id=parcel.carrier_id, is_active=True).first()
    if feed is None or not feed.booking_url:
        return False
    address = parcel.order.checkout.address or {}
    warehouse = parcel.shipment.warehouse
    response = requests.post(
        feed.booking_url,
        json={
            "waybill": parcel.waybill_number,
            "carrier": parcel.carrier.code,
            "route": route_key(parcel),
            "origin": f"{warehouse.name_en or warehouse.code}, {warehouse.country}",
            "destination": ", ".join(
                part for part in (address.get("city", ""), address.get("country", "")) if part
            ),
        },
        timeout=10,
    )
    response.raise_for_status()
    Parcel.objects.filter(pk=parcel.pk, booked_at__isnull=True).update(booked_at=timezone.now())
    return True


@outbox_handler(MANIFEST_ENTERED, queue="default")
def manifest_entered(payload: dict) -> bool:
    """Customs entered a consignment's arrival manifest (customs/declarations/manifests.py)."""
    return consignment_entered(cop_no=payload["cop_no"], rkd_no=payload.get("rkd_no", ""))
