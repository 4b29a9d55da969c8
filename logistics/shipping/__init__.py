"""The shipping network (the "network" layer, below catalog): carriers, shipping methods,
zones, routes with their rate tables and delivery windows, merchants' free-shipping
thresholds, and the one pricing function checkout calls (``selectors.shipping_options``).

It imports the kernel and ``merchants`` only; catalog and orders call down into it with
plain values (weights, dimensions, countries, warehouse ids). docs/SHIPPING.md explains
the model and every rule.
"""
