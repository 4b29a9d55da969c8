"""The declarations' row locks (slot 12 of docs/ARCHITECTURE.md's lock order: after the
order, slot 8, and its stock, quota and assessments; before shipments, 13).

- ``lock_file``: an order's declaration, then (``with_documents``) its documents in
  primary-key order. A receipt locks the order first (``orders.lock_objects.lock_orders``),
  then these.
- ``lock_pending``: documents waiting to be sent, skipping those another worker holds
  (``SKIP LOCKED``): the send worker takes a batch of up to 100 of one kind and profile.
- ``signing_key_lock``: a transaction-scoped PostgreSQL advisory lock per signing key, taken
  before any row, so one worker at a time signs with one key (a USB key signs serially; on
  SQLite, the embedded default, the database's single writer serialises anyway).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

from marketplace.locking import for_update

from .models import Declaration, OrderDeclaration

SIGNING_LOCK_SPACE = 0x5357_0C  # "SW" + slot 12: our advisory-lock key space


def lock_file(file_id: int, *, with_documents: bool = True) -> OrderDeclaration:
    file = for_update(OrderDeclaration.objects).get(pk=file_id)
    if with_documents:
        file.locked_documents = list(
            for_update(Declaration.objects).filter(file_id=file_id).order_by("pk")
        )
    return file


def lock_documents(ids: Iterable[int]) -> list[Declaration]:
    ids = sorted({int(i) for i in ids})
    return list(for_update(Declaration.objects).filter(pk__in=ids).order_by("pk"))


def lock_document(declaration_id: int) -> Declaration | None:
    """One document alone (recording a failed send after its batch rolled back)."""
    return for_update(Declaration.objects).filter(pk=declaration_id).first()


def lock_pending(*, kind: str, profile_id: int, first_id: int, limit: int) -> list[Declaration]:
    """Up to ``limit`` pending documents of ``kind`` for ``profile_id`` (``first_id`` first
    when it is still pending), skipping rows another worker holds."""
    pending = Declaration.objects.filter(
        Q(file__profile_id=profile_id) | Q(file__isnull=True, profile_id=profile_id),
        state=Declaration.State.PENDING,
        kind=kind,
    ).select_for_update(skip_locked=True, of=("self",), no_key=True)
    first = list(pending.filter(pk=first_id))
    rest = list(pending.exclude(pk=first_id).order_by("pk")[: max(limit - len(first), 0)])
    return first + rest


def signing_key_lock(key_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SIGNING_LOCK_SPACE, key_id])
