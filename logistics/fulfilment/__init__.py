"""Shipments, parcels and their tracking (operations layer, above orders: docs/LOGISTICS.md)."""
