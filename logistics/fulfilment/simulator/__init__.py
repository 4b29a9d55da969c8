"""The carrier simulator: a carrier as its own process (docs/LOGISTICS.md, "Carrier simulator")."""
