"""Catalog pages: ``storefront`` (shoppers), ``seller`` (listings), ``stock`` (inventory)."""
