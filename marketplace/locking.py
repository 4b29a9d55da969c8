"""How a row is locked for a write, in every app (docs/ARCHITECTURE.md, "Lock order").

Each app's ``lock_objects.py`` decides *which* rows of an aggregate are locked and in which
order; ``for_update`` is *how*: ``SELECT … FOR NO KEY UPDATE OF <the queried table>``.

- ``of=("self",)``: a ``select_related`` join reads the other table's row without locking it
  (locking it would take a lock outside the lock order);
- ``no_key=True``: we never change primary keys, so the weaker ``NO KEY UPDATE`` still
  excludes every other writer of the row but not the foreign-key checks of rows inserted
  elsewhere (a shopper's report on a product, an order line on a SKU). Those checks take
  ``KEY SHARE`` locks, which then never queue behind a lock of ours, so they need no place
  in the lock order.
"""

from __future__ import annotations

from django.db.models import Manager, QuerySet


def for_update(queryset: QuerySet | Manager) -> QuerySet:
    """``queryset`` locking its own rows (``FOR NO KEY UPDATE OF``) until the transaction ends."""
    return queryset.select_for_update(of=("self",), no_key=True)
