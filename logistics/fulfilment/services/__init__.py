"""Fulfilment writes: packing orders into shipments, recording carriers' events."""

from .shipments import ParcelSpec, shipment_create
from .tracking import RecordResult, tracking_events_record, tracking_poll_feed, webhook_verify

__all__ = [
    "ParcelSpec",
    "RecordResult",
    "shipment_create",
    "tracking_events_record",
    "tracking_poll_feed",
    "webhook_verify",
]
