"""Customs reads: the engine's RateBook built from the rate tables (cached), the buyers' quota
ledger, and duty assessments for the back office.

The RateBook cache has two levels. Each process keeps the built RateBook in memory, tagged
with a version token; the token lives in the shared cache (Redis in production), and saving
any rate row through ``customs.services`` replaces it once the transaction commits. A quote
reads the token (one cache round trip), and only when it changed are the tables read again
(four queries) and the RateBook rebuilt. So a rate edit reaches every web process and worker
on their next quote, and no quote reads the rate tables otherwise.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Q, Sum
from django.utils import timezone

from customs.engine import (
    Calculator,
    ClearanceMode,
    IndivisiblePolicy,
    LimitBasis,
    LowValueDuty,
    NoRegimeError,
    PostalCategoryRow,
    RateBook,
    RateBookError,
    RateRow,
    RegimeRow,
    TaxKind,
    VatRateRow,
)
from marketplace.crypto import identifier_digest

from .identity import normalise_id_number
from .models import (
    BuyerIdentity,
    DutyAssessment,
    HsRate,
    PostalCategory,
    QuotaEntry,
    QuotaLedger,
    Regime,
    VatRate,
)

RATEBOOK_VERSION_KEY = "customs:ratebook:version"
# The regime whose yearly limit the quota ledger counts against (both CBEC routes share it).
QUOTA_DESTINATION = "CN"
QUOTA_MODE = ClearanceMode.DIRECT


# --------------------------------------------------------------------------------------------
# Rate data -> engine rows
# --------------------------------------------------------------------------------------------


def _rate(value: Decimal) -> Decimal:
    """A stored rate without the column's trailing zeros (0.130000 -> 0.13), for display."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def regime_row(obj: Regime) -> RegimeRow:
    """The engine row for one stored regime version."""
    return RegimeRow(
        code=obj.code,
        calculator=Calculator(obj.calculator),
        destinations=frozenset(obj.destinations.split()),
        modes=frozenset(ClearanceMode(mode) for mode in obj.modes.split()),
        currency=obj.currency,
        effective_from=obj.effective_from,
        effective_to=obj.effective_to,
        rate_table=obj.rate_table,
        vat_kind=TaxKind(obj.vat_kind) if obj.vat_kind else None,
        tax_factor=_rate(obj.tax_factor),
        transaction_limit=obj.transaction_limit,
        yearly_limit=obj.yearly_limit,
        limit_basis=LimitBasis(obj.limit_basis),
        over_limit_regime=obj.over_limit_regime,
        indivisible_over_limit=IndivisiblePolicy(obj.indivisible_over_limit),
        waiver_threshold=obj.waiver_threshold,
        base_includes_freight=obj.base_includes_freight,
        excise_allowed=obj.excise_allowed,
        requires_product_record=obj.requires_product_record,
        low_value_duty=LowValueDuty(obj.low_value_duty),
        flat_duty_amount=obj.flat_duty_amount,
        collected_at_checkout=obj.collected_at_checkout,
        notice=obj.notice,
    )


def rate_row(obj: HsRate) -> RateRow:
    """The engine row for one stored HS rate."""
    return RateRow(
        table=obj.table,
        hs_prefix=obj.hs_prefix,
        flag=obj.flag,
        duty_rate=_rate(obj.duty_rate),
        vat_rate=None if obj.vat_rate is None else _rate(obj.vat_rate),
        ct_rate=_rate(obj.ct_rate),
        postal_category=obj.postal_category,
        excise=obj.excise,
    )


def postal_row(obj: PostalCategory) -> PostalCategoryRow:
    """The engine row for one stored postal tax category."""
    return PostalCategoryRow(code=obj.code, rate=_rate(obj.rate), description=obj.description)


def vat_row(obj: VatRate) -> VatRateRow:
    """The engine row for one stored VAT rate."""
    return VatRateRow(
        country=obj.country,
        rate=_rate(obj.rate),
        effective_from=obj.effective_from,
        effective_to=obj.effective_to,
    )


_CONVERTERS = {Regime: regime_row, HsRate: rate_row, PostalCategory: postal_row, VatRate: vat_row}


def ratebook_from_tables(*, replace=None, delete=None) -> RateBook:
    """Build a RateBook from the rate tables (four queries); raises RateBookError if invalid.

    ``replace`` (a rate-table instance, saved or not) stands in for its stored row, or is
    added when new; ``delete`` is left out. The services use this to check an edit against
    all the other rows before saving it.
    """
    rows = {}
    for model, convert in _CONVERTERS.items():
        objects = list(model.objects.all())
        for changed, drop in ((replace, False), (delete, True)):
            if changed is None or type(changed) is not model:
                continue
            objects = [o for o in objects if changed.pk is None or o.pk != changed.pk]
            if not drop:
                objects.append(changed)
        rows[model] = [convert(obj) for obj in objects]
    return RateBook(
        regimes=rows[Regime],
        rates=rows[HsRate],
        postal_categories=rows[PostalCategory],
        vat_rates=rows[VatRate],
    )


@dataclass(frozen=True, slots=True)
class CurrentRateBook:
    """The RateBook in force in this process and the version token it was built for."""

    book: RateBook
    version: str


_shared: dict[str, CurrentRateBook] = {}  # the last one built, shared by the process's threads
_build_lock = threading.Lock()


def ratebook_version() -> str:
    """The current version token of the rate data (created when the cache has none)."""
    token = cache.get(RATEBOOK_VERSION_KEY)
    if token is None:
        cache.add(RATEBOOK_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(RATEBOOK_VERSION_KEY) or ""
    return token


def ratebook_current_versioned() -> CurrentRateBook:
    """The RateBook built from the rate tables with its version token (see the module doc).

    Raises RateBookError if the stored rows are inconsistent (the services refuse such
    edits, so this means the tables were changed behind their back).
    """
    version = ratebook_version()
    current = _shared.get("book")
    if current is not None and current.version == version:
        return current
    with _build_lock:
        current = _shared.get("book")
        if current is None or current.version != version:
            # The token is read before the tables: an edit committed during the build
            # replaces the token again, so the next call rebuilds.
            current = CurrentRateBook(ratebook_from_tables(), version)
            _shared["book"] = current
    return current


def ratebook_current() -> RateBook:
    """The engine's RateBook for the rate tables, cached (no database read when unchanged)."""
    return ratebook_current_versioned().book


def ratebook_invalidate() -> None:
    """Drop every process's cached RateBook: call after rate rows changed (on commit)."""
    _shared.pop("book", None)
    cache.set(RATEBOOK_VERSION_KEY, uuid.uuid4().hex, timeout=None)


# --------------------------------------------------------------------------------------------
# Quota ledger
# --------------------------------------------------------------------------------------------


def quota_digest(id_number: str) -> str:
    """The ledger key of an identity number (a keyed digest; the number is not stored in it)."""
    return identifier_digest(normalise_id_number(id_number))


def buyer_identities_of(*, user):
    """The identities ``user`` saved on their account, oldest first."""
    return BuyerIdentity.objects.filter(user=user).order_by("created_at", "id")


def quota_visible_to(*, user, id_number: str) -> bool:
    """Whether ``user`` may see the yearly quota of ``id_number``: a signed-in user who saved
    that identity on their own account (one indexed query). Anyone else's quote is priced as
    if no number had been sent, so it answers the same whoever the number belongs to."""
    if not getattr(user, "is_authenticated", False):
        return False
    return BuyerIdentity.objects.filter(user=user, id_digest=quota_digest(id_number)).exists()


def quota_used_by_digest(*, digest: str, year: int) -> Decimal:
    """CNY counted towards the yearly limit in ``year`` for the ledger keyed ``digest``."""
    sums = QuotaEntry.objects.filter(ledger__id_digest=digest, year=year).aggregate(
        used=Sum("amount", filter=Q(kind=QuotaEntry.Kind.USAGE), default=Decimal(0)),
        restored=Sum("amount", filter=Q(kind=QuotaEntry.Kind.RESTORE), default=Decimal(0)),
    )
    return (sums["used"] - sums["restored"]).quantize(Decimal("0.01"))


def quota_restored(*, reference: str) -> Decimal:
    """CNY of order ``reference``'s usage given back so far (every restore, any key)."""
    return (
        QuotaEntry.objects.filter(kind=QuotaEntry.Kind.RESTORE, reference=reference)
        .aggregate(total=Sum("amount", default=Decimal(0)))["total"]
        .quantize(Decimal("0.01"))
    )


def quota_used(*, id_number: str, year: int) -> Decimal:
    """CNY of cross-border retail imports counted for this buyer in ``year`` (usage - restores).

    One query; a buyer without a ledger has used 0.
    """
    return quota_used_by_digest(digest=quota_digest(id_number), year=year)


def quota_limit(*, year: int, book: RateBook | None = None) -> Decimal:
    """The yearly limit per buyer for ``year``, from the cross-border regime's data.

    The version in force on 31 December for past years, today for the current year, and on
    1 January for a later year. Raises RateBookError when the regime has no yearly limit.
    """
    today = timezone.localdate()
    if year < today.year:
        on = date(year, 12, 31)
    elif year == today.year:
        on = today
    else:
        on = date(year, 1, 1)
    book = book or ratebook_current()
    try:
        regime = book.regime_for(QUOTA_DESTINATION, QUOTA_MODE, on)
    except NoRegimeError as exc:
        raise RateBookError(f"no cross-border regime for {on.isoformat()}") from exc
    if regime.yearly_limit is None:
        raise RateBookError(f"regime {regime.code} has no yearly limit")
    return regime.yearly_limit


def quota_remaining(*, id_number: str, year: int) -> Decimal:
    """CNY this buyer may still import through cross-border retail in ``year`` (never < 0)."""
    left = quota_limit(year=year) - quota_used(id_number=id_number, year=year)
    return max(left, Decimal(0)).quantize(Decimal("0.01"))


def quota_ledger_for(*, id_number: str) -> QuotaLedger | None:
    """The ledger of an identity number, or None when it has none yet."""
    return QuotaLedger.objects.filter(id_digest=quota_digest(id_number)).first()


def quota_years(*, ledger: QuotaLedger) -> list[dict]:
    """Per year: used, restored and net CNY of one ledger, latest year first (one query)."""
    rows = (
        ledger.entries.values("year")
        .annotate(
            used=Sum("amount", filter=Q(kind=QuotaEntry.Kind.USAGE), default=Decimal(0)),
            restored=Sum("amount", filter=Q(kind=QuotaEntry.Kind.RESTORE), default=Decimal(0)),
        )
        .order_by("-year")
    )
    return [{**row, "net": row["used"] - row["restored"]} for row in rows]


# --------------------------------------------------------------------------------------------
# Assessments
# --------------------------------------------------------------------------------------------


def assessments_stuck(*, older_than_seconds: int = 300) -> list[int]:
    """Ids of assessments still pending after ``older_than_seconds`` (for the sweeper)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        DutyAssessment.objects.filter(
            status=DutyAssessment.Status.PENDING, created_at__lt=cutoff
        ).values_list("id", flat=True)
    )
