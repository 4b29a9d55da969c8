"""Catalog: categories, brands, products, SKUs, attributes, stock, search, moderation;
and the storefront's browsing pages."""
