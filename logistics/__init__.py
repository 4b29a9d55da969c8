"""Logistics: warehouses, carriers, rates, shipments, consolidation, tracking."""
