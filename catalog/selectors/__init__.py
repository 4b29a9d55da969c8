"""Catalog reads, one module per audience: ``storefront`` (shoppers), ``seller`` (the
seller portal and API), ``stock`` (inventory)."""
