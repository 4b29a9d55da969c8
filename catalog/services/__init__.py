"""Catalog writes, one module per area: ``products`` (listings and moderation), ``stock``
(quantities and the stock ledger), ``imports`` (CSV import and export)."""
