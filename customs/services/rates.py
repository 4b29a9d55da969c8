"""Operator edits of the rate tables: every save or delete is checked against all the other
rows (the engine's RateBook must still build) and then drops the cached RateBook everywhere.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from customs.engine import RateBookError
from customs.models import HsRate, PostalCategory, Regime, VatRate
from customs.seeding import seed_rate_tables
from customs.selectors import ratebook_from_tables, ratebook_invalidate

RATE_MODELS = (Regime, HsRate, PostalCategory, VatRate)
# Two edits that are each fine alone could together break the rate data (two VAT periods
# overlapping): edits take turns. An arbitrary constant key for PostgreSQL's advisory lock.
_EDIT_LOCK = 0x5C0_7A7E


def _take_edit_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_EDIT_LOCK])


def ratebook_check(*, replace=None, delete=None) -> None:
    """Raise ValidationError if the rate tables with this change would not make a RateBook.

    ``replace`` is a rate-table instance as it would be saved, ``delete`` one to remove.
    The message carries the engine's reason (which rows contradict each other).
    """
    try:
        ratebook_from_tables(replace=replace, delete=delete)
    except RateBookError as exc:
        raise ValidationError(
            _("This change would make the rate data inconsistent: %(reason)s") % {"reason": exc},
            code="ratebook",
        ) from exc


def _check_model(obj) -> None:
    if type(obj) not in RATE_MODELS:
        raise TypeError(f"not a rate-table row: {type(obj).__name__}")


@transaction.atomic
def rate_data_save(*, obj, by=None):
    """Save a rate-table row (regime, HS rate, postal category or VAT rate) after checking it.

    Raises ValidationError, saving nothing, when the row breaks a one-row rule or makes the
    rate data inconsistent. Every process drops its cached RateBook once this commits.
    """
    _check_model(obj)
    obj.full_clean()
    _take_edit_lock()
    ratebook_check(replace=obj)
    obj.save()
    transaction.on_commit(ratebook_invalidate)
    return obj


@transaction.atomic
def rate_data_delete(*, obj, by=None) -> None:
    """Delete a rate-table row unless the rest would be inconsistent (ValidationError)."""
    _check_model(obj)
    _take_edit_lock()
    ratebook_check(delete=obj)
    obj.delete()
    transaction.on_commit(ratebook_invalidate)


@transaction.atomic
def rate_tables_seed(*, seed_dir=None) -> dict:
    """Add the shipped seed rows missing from the rate tables (idempotent; edits are kept).

    Returns how many rows each table gained. The result must still make a RateBook.
    """
    from django.apps import apps

    _take_edit_lock()
    created = seed_rate_tables(apps.get_model, seed_dir)
    ratebook_check()
    transaction.on_commit(ratebook_invalidate)
    return created
