"""The buyers' yearly quota ledger (China cross-border retail import: 26,000 CNY a year).

The checkout records an order's usage when it is paid and restores it on a return; the quote
reads what is left (``customs.selectors.quota_remaining``). Every write for one buyer locks
that buyer's ledger row first, so concurrent checkouts take turns: with ``enforce_limit`` the
last yuan of the allowance can be spent once.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from customs.engine import format_amount
from customs.identity import validate_id_number
from customs.lock_objects import lock_quota_ledger
from customs.models import QuotaEntry, QuotaLedger
from customs.selectors import quota_digest, quota_limit, quota_used_by_digest
from marketplace.crypto import mask

CENT = Decimal("0.01")


class QuotaError(ValidationError):
    """A quota write that breaks a rule; the message says which, in the active language."""


class QuotaExceededError(QuotaError):
    """The usage would take the buyer's year over the yearly limit."""

    def __init__(self, message: str, *, remaining: Decimal, limit: Decimal) -> None:
        super().__init__(message, code="quota_exceeded")
        self.remaining = remaining
        self.limit = limit


def _check_amount(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise QuotaError(_("The amount must be a positive number of yuan."), code="amount")
    if amount != amount.quantize(CENT):
        raise QuotaError(_("The amount must be in whole fen (0.01)."), code="amount")
    return amount.quantize(CENT)


def _check_reference(reference: str) -> str:
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise QuotaError(_("Give the order reference (up to 64 characters)."), code="reference")
    return reference


def _check_year(year: int) -> int:
    if type(year) is not int or not 2000 <= year <= 2999:
        raise QuotaError(_("The year must be a four-digit calendar year."), code="year")
    return year


def _ledger_locked(number: str, *, create: bool) -> QuotaLedger | None:
    """The buyer's ledger row, locked until the transaction ends (created when asked)."""
    digest = quota_digest(number)
    ledger = lock_quota_ledger(digest)
    if ledger is None and create:
        # A concurrent first usage of the same buyer collides on the unique digest;
        # get_or_create then reads the row the other transaction committed.
        QuotaLedger.objects.get_or_create(
            id_digest=digest, defaults={"id_number": number, "id_masked": mask(number)}
        )
        ledger = lock_quota_ledger(digest)
    return ledger


@transaction.atomic
def quota_record_usage(
    *,
    id_number: str,
    year: int,
    amount: Decimal,
    reference: str,
    enforce_limit: bool = False,
) -> QuotaEntry:
    """Count ``amount`` CNY of order ``reference`` towards the buyer's ``year``.

    Idempotent per order: recording the same order again returns the first entry (a
    different amount or year for it is refused). With ``enforce_limit`` a usage that would
    take the year over the yearly limit raises QuotaExceededError and records nothing.
    """
    number = validate_id_number(id_number)
    year = _check_year(year)
    amount = _check_amount(amount)
    reference = _check_reference(reference)
    ledger = _ledger_locked(number, create=True)
    existing = ledger.entries.filter(kind=QuotaEntry.Kind.USAGE, reference=reference).first()
    if existing is not None:
        if existing.amount != amount or existing.year != year:
            raise QuotaError(
                _("Order %(reference)s is already counted with %(amount)s CNY in %(year)s.")
                % {
                    "reference": reference,
                    "amount": format_amount(existing.amount, "CNY"),
                    "year": existing.year,
                },
                code="duplicate",
            )
        return existing
    if enforce_limit:
        limit = quota_limit(year=year)
        remaining = max(limit - quota_used_by_digest(digest=ledger.id_digest, year=year), 0)
        if amount > remaining:
            raise QuotaExceededError(
                _(
                    "This order (%(amount)s CNY) would take the buyer over the %(limit)s CNY "
                    "yearly limit: %(remaining)s CNY is left for %(year)s."
                )
                % {
                    "amount": format_amount(amount, "CNY"),
                    "limit": format_amount(limit, "CNY"),
                    "remaining": format_amount(Decimal(remaining), "CNY"),
                    "year": year,
                },
                remaining=Decimal(remaining).quantize(CENT),
                limit=limit,
            )
    entry = QuotaEntry.objects.create(
        ledger=ledger,
        year=year,
        kind=QuotaEntry.Kind.USAGE,
        amount=amount,
        reference=reference,
    )
    ledger.save(update_fields=["updated_at"])
    return entry


@transaction.atomic
def quota_restore(
    *,
    id_number: str,
    year: int,
    amount: Decimal,
    reference: str,
    restore_key: str = "",
) -> QuotaEntry:
    """Give back ``amount`` CNY of order ``reference``'s usage in ``year`` (a return).

    At most what the order used can be given back, over all its restores. ``restore_key``
    (the return's own reference) makes the call idempotent: the same key again returns the
    first entry.
    """
    number = validate_id_number(id_number)
    year = _check_year(year)
    amount = _check_amount(amount)
    reference = _check_reference(reference)
    restore_key = (restore_key or "").strip()[:64]
    ledger = _ledger_locked(number, create=False)
    usage = (
        None
        if ledger is None
        else ledger.entries.filter(
            kind=QuotaEntry.Kind.USAGE, reference=reference, year=year
        ).first()
    )
    if usage is None:
        raise QuotaError(
            _("No usage is recorded for order %(reference)s in %(year)s for this buyer.")
            % {"reference": reference, "year": year},
            code="no_usage",
        )
    restores = ledger.entries.filter(kind=QuotaEntry.Kind.RESTORE, reference=reference)
    if restore_key:
        existing = restores.filter(restore_key=restore_key).first()
        if existing is not None:
            if existing.amount != amount:
                raise QuotaError(
                    _("Return %(key)s is already recorded with %(amount)s CNY.")
                    % {"key": restore_key, "amount": format_amount(existing.amount, "CNY")},
                    code="duplicate",
                )
            return existing
    restored = restores.aggregate(total=Sum("amount", default=Decimal(0)))["total"]
    left = usage.amount - restored
    if amount > left:
        raise QuotaError(
            _(
                "Cannot restore %(amount)s CNY: order %(reference)s used %(used)s CNY and "
                "%(left)s CNY of it is left to restore."
            )
            % {
                "amount": format_amount(amount, "CNY"),
                "reference": reference,
                "used": format_amount(usage.amount, "CNY"),
                "left": format_amount(left, "CNY"),
            },
            code="over_restore",
        )
    entry = QuotaEntry.objects.create(
        ledger=ledger,
        year=year,
        kind=QuotaEntry.Kind.RESTORE,
        amount=amount,
        reference=reference,
        restore_key=restore_key,
    )
    ledger.save(update_fields=["updated_at"])
    return entry
