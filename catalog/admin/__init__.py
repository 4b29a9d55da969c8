"""Back-office screens of the catalog, one module per area."""

from . import brands, categories, products, records, reports, stock  # noqa: F401
