"""Back-office screens of the catalog, one module per area."""

from . import categories  # noqa: F401
