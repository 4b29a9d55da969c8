"""Bulk CSV import and export of products and stock (catalog/services/imports.py)."""

from .env import env_int

# Up to this many data rows an import runs inside the request; larger files go to a worker
# and the seller watches the job's progress.
CATALOG_IMPORT_INLINE_MAX_ROWS = env_int("CATALOG_IMPORT_INLINE_MAX_ROWS", 200)
# Hard limits per file: beyond them the upload is refused before any row is read.
CATALOG_IMPORT_MAX_ROWS = env_int("CATALOG_IMPORT_MAX_ROWS", 20000)
CATALOG_IMPORT_MAX_BYTES = env_int("CATALOG_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# A running job whose progress has not moved for this long is considered dead (its worker
# was lost; the import transaction rolled back) and may be taken over by a re-delivery.
CATALOG_IMPORT_STALE_SECONDS = env_int("CATALOG_IMPORT_STALE_SECONDS", 600)
