"""The RateBook: regimes, HS rate tables, postal categories and VAT rates, indexed for lookups.

Built once from plain lists of rows (the seed files through ``loader.load_ratebook``, or the
Django tables), checked for consistency up front, then read-only: a quote never mutates it, so
one instance can serve every thread. Nothing is cached behind the caller's back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from .messages import make_message
from .types import (
    Calculator,
    ClearanceMode,
    NoRegimeError,
    PostalCategoryRow,
    RateBookError,
    RateRow,
    RegimeRow,
    VatRateRow,
)

_PrefixIndex = dict[str, RateRow]
# A prefix index with the prefix lengths it holds, longest first, so a lookup probes only
# lengths that can match instead of every length from 10 down to 0.
_Probe = tuple[_PrefixIndex, tuple[int, ...]]


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (b_to is None or a_from < b_to) and (a_to is None or b_from < a_to)


def _probe(rows: Iterable[RateRow]) -> _Probe:
    index = {row.hs_prefix: row for row in rows}
    return index, tuple(sorted({len(p) for p in index}, reverse=True))


def _longest(probe: _Probe, hs_code: str) -> RateRow | None:
    index, lengths = probe
    size = len(hs_code)
    for n in lengths:
        if n <= size:
            row = index.get(hs_code[:n])
            if row is not None:
                return row
    return None


class RateBook:
    """In-memory rate data with longest-prefix HS lookup and dated regime selection."""

    __slots__ = ("_by_code", "_by_route", "_flagged", "_plain", "_postal", "_vat")

    def __init__(
        self,
        *,
        regimes: Iterable[RegimeRow],
        rates: Iterable[RateRow],
        postal_categories: Iterable[PostalCategoryRow],
        vat_rates: Iterable[VatRateRow],
    ) -> None:
        """Index the rows; raise RateBookError if they contradict each other or are incomplete."""
        regimes = list(regimes)
        rates = list(rates)
        self._postal = self._index_postal(postal_categories)
        self._vat = self._index_vat(vat_rates)
        self._plain, self._flagged = self._index_rates(rates)
        self._by_code, self._by_route = self._index_regimes(regimes)

    # -- construction ------------------------------------------------------------------------

    @staticmethod
    def _index_postal(rows: Iterable[PostalCategoryRow]) -> dict[str, Decimal]:
        postal: dict[str, Decimal] = {}
        for row in rows:
            if row.code in postal:
                raise RateBookError(f"postal category {row.code!r} is listed twice")
            if not 0 <= row.rate <= 1:
                raise RateBookError(f"postal category {row.code!r}: rate must be within 0..1")
            postal[row.code] = row.rate
        return postal

    @staticmethod
    def _index_vat(rows: Iterable[VatRateRow]) -> dict[str, tuple[VatRateRow, ...]]:
        by_country: dict[str, list[VatRateRow]] = defaultdict(list)
        for row in rows:
            if not 0 <= row.rate < 1:
                raise RateBookError(f"VAT rate of {row.country}: must be within 0..1")
            for other in by_country[row.country]:
                if _overlaps(
                    row.effective_from, row.effective_to, other.effective_from, other.effective_to
                ):
                    raise RateBookError(f"VAT rates of {row.country} overlap in time")
            by_country[row.country].append(row)
        return {country: tuple(rows) for country, rows in by_country.items()}

    def _index_rates(
        self, rates: list[RateRow]
    ) -> tuple[dict[str, _Probe], dict[str, dict[str, _Probe]]]:
        seen: set[tuple[str, str, str]] = set()
        plain: dict[str, list[RateRow]] = defaultdict(list)
        flagged: dict[str, dict[str, list[RateRow]]] = defaultdict(lambda: defaultdict(list))
        for row in rates:
            key = (row.table, row.hs_prefix, row.flag)
            if key in seen:
                raise RateBookError(f"rate row {key} is listed twice")
            seen.add(key)
            prefix = row.hs_prefix
            if len(prefix) > 10 or (prefix and not (prefix.isascii() and prefix.isdigit())):
                raise RateBookError(f"rate row {key}: hs_prefix must be up to 10 digits")
            for name in ("duty_rate", "ct_rate"):
                if not 0 <= getattr(row, name) < 1:
                    raise RateBookError(f"rate row {key}: {name} must be within 0..1")
            if row.vat_rate is not None and not 0 <= row.vat_rate < 1:
                raise RateBookError(f"rate row {key}: vat_rate must be within 0..1")
            if row.postal_category and row.postal_category not in self._postal:
                raise RateBookError(f"rate row {key}: unknown postal category")
            if row.flag:
                flagged[row.table][row.flag].append(row)
            else:
                plain[row.table].append(row)
        for table, rows in plain.items():
            if not any(row.hs_prefix == "" for row in rows):
                raise RateBookError(f"rate table {table!r} has no default row (empty prefix)")
        return (
            {table: _probe(rows) for table, rows in plain.items()},
            {
                table: {flag: _probe(rows) for flag, rows in by_flag.items()}
                for table, by_flag in flagged.items()
            },
        )

    def _index_regimes(
        self, regimes: list[RegimeRow]
    ) -> tuple[
        dict[str, tuple[RegimeRow, ...]],
        dict[tuple[str, ClearanceMode], tuple[RegimeRow, ...]],
    ]:
        by_code: dict[str, list[RegimeRow]] = defaultdict(list)
        by_route: dict[tuple[str, ClearanceMode], list[RegimeRow]] = defaultdict(list)
        for row in regimes:
            self._check_regime(row)
            for other in by_code[row.code]:
                if _overlaps(
                    row.effective_from, row.effective_to, other.effective_from, other.effective_to
                ):
                    raise RateBookError(f"versions of regime {row.code} overlap in time")
            by_code[row.code].append(row)
            for destination in row.destinations:
                for mode in row.modes:
                    for other in by_route[destination, mode]:
                        if _overlaps(
                            row.effective_from,
                            row.effective_to,
                            other.effective_from,
                            other.effective_to,
                        ):
                            raise RateBookError(
                                f"regimes {other.code} and {row.code} both apply to "
                                f"{destination}/{mode} at the same time"
                            )
                    by_route[destination, mode].append(row)
        for row in regimes:
            if not row.over_limit_regime:
                continue
            targets = by_code.get(row.over_limit_regime)
            if not targets:
                raise RateBookError(
                    f"{row.code} switches to unknown regime {row.over_limit_regime}"
                )
            for target in targets:
                # One hop only, same money: a chain of switches would be a puzzle for shoppers.
                if target.over_limit_regime:
                    raise RateBookError(f"{target.code} is a switch target and must not switch")
                if target.currency != row.currency:
                    raise RateBookError(f"{row.code} and {target.code} use different currencies")
        return (
            {code: tuple(rows) for code, rows in by_code.items()},
            {route: tuple(rows) for route, rows in by_route.items()},
        )

    def _check_regime(self, row: RegimeRow) -> None:
        if row.effective_to is not None and row.effective_to <= row.effective_from:
            raise RateBookError(f"regime {row.code}: effective_to must be after effective_from")
        if row.rate_table not in self._plain:
            raise RateBookError(f"regime {row.code}: unknown rate table {row.rate_table!r}")
        if not 0 < row.tax_factor <= 1:
            raise RateBookError(f"regime {row.code}: tax_factor must be within (0, 1]")
        if row.vat_kind is not None:
            for country in row.destinations:
                if country not in self._vat:
                    raise RateBookError(f"regime {row.code}: no VAT rate for {country}")
        if row.calculator is Calculator.CN_POSTAL:
            # Every row the postal calculator may pick must name its category up front, or a
            # quote would fail at checkout instead of at load time.
            rows = list(self._plain[row.rate_table][0].values())
            for probe in self._flagged.get(row.rate_table, {}).values():
                rows.extend(probe[0].values())
            for rate in rows:
                if not rate.postal_category:
                    raise RateBookError(
                        f"regime {row.code}: rate row {rate.table}/{rate.hs_prefix or '(default)'}"
                        f"{'/' + rate.flag if rate.flag else ''} has no postal category"
                    )

    # -- lookups -----------------------------------------------------------------------------

    def regime_for(self, destination: str, mode: ClearanceMode, on: date) -> RegimeRow:
        """The regime version for ``destination`` and ``mode`` in force on ``on``.

        Raises NoRegimeError, with a shopper-facing message, when none is set up.
        """
        for row in self._by_route.get((destination, mode), ()):
            if row.applies_on(on):
                return row
        raise NoRegimeError(
            make_message("no_regime", destination=destination, mode=str(mode), date=on.isoformat())
        )

    def regime_by_code(self, code: str, on: date) -> RegimeRow:
        """The version of regime ``code`` in force on ``on`` (RateBookError if there is none)."""
        for row in self._by_code.get(code, ()):
            if row.applies_on(on):
                return row
        raise RateBookError(f"regime {code} has no version in force on {on.isoformat()}")

    def regimes(self) -> tuple[RegimeRow, ...]:
        """Every regime version, grouped by code."""
        return tuple(row for rows in self._by_code.values() for row in rows)

    def rate_for(
        self, table: str, hs_code: str, attributes: frozenset[str] = frozenset()
    ) -> RateRow:
        """The rate row for ``hs_code`` in ``table``: the longest matching prefix.

        A row written for a flag the line carries wins over every unflagged row (the flag is
        the more specific fact: a high-end lipstick pays the high-end cosmetics consumption tax
        even where a longer unflagged prefix exists); among flagged rows the longest prefix
        wins, ties by flag name so the answer does not depend on set order.
        """
        if attributes:
            by_flag = self._flagged.get(table)
            if by_flag:
                best: RateRow | None = None
                for flag in sorted(attributes):
                    probe = by_flag.get(flag)
                    if probe is None:
                        continue
                    row = _longest(probe, hs_code)
                    if row is not None and (
                        best is None or len(row.hs_prefix) > len(best.hs_prefix)
                    ):
                        best = row
                if best is not None:
                    return best
        probe = self._plain.get(table)
        if probe is None:
            raise RateBookError(f"unknown rate table {table!r}")
        # The default row (prefix "") is checked at construction, so this always finds a row.
        return _longest(probe, hs_code)  # type: ignore[return-value]

    def postal_rate(self, category: str) -> Decimal:
        """The personal-parcel tax rate of ``category``."""
        try:
            return self._postal[category]
        except KeyError:
            raise RateBookError(f"unknown postal category {category!r}") from None

    def has_postal_category(self, category: str) -> bool:
        """Whether ``category`` is a known personal-parcel tax category."""
        return category in self._postal

    def standard_vat(self, country: str, on: date) -> Decimal | None:
        """``country``'s standard VAT/GST rate on ``on``, or None if it has none on file."""
        for row in self._vat.get(country, ()):
            if row.applies_on(on):
                return row.rate
        return None
