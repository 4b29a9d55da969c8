"""Fulfilment's seller API (docs/API.md, "Shipments")."""
