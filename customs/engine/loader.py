"""Build a RateBook from the shipped seed files (``customs/seed/*.csv``).

Tests and the benchmark quote against the data the product ships; the Django layer builds the
same row types from its tables and calls ``RateBook(...)`` itself. The CSV columns are the row
dataclasses' fields; ``note`` and ``description`` columns are for people and ignored here.
Empty cells mean "none" (or the field's default). A bad cell raises RateBookError naming the
file, the line and the column.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from .rates import RateBook
from .types import (
    Calculator,
    ClearanceMode,
    IndivisiblePolicy,
    LimitBasis,
    LowValueDuty,
    PostalCategoryRow,
    RateBookError,
    RateRow,
    RegimeRow,
    TaxKind,
    VatRateRow,
)

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"

T = TypeVar("T")


class _Row:
    """One CSV row with typed getters that report file:line:column on bad input."""

    __slots__ = ("_cells", "_where")

    def __init__(self, cells: dict[str, str], where: str) -> None:
        self._cells = cells
        self._where = where

    def parse(self, column: str, parse: Callable[[str], T]) -> T:
        raw = (self._cells.get(column) or "").strip()
        try:
            return parse(raw)
        except (ValueError, InvalidOperation) as exc:
            raise RateBookError(f"{self._where}: column {column!r}: bad value {raw!r}") from exc

    def text(self, column: str) -> str:
        return (self._cells.get(column) or "").strip()

    def decimal(self, column: str) -> Decimal:
        return self.parse(column, _decimal)

    def optional_decimal(self, column: str) -> Decimal | None:
        return self.parse(column, lambda raw: _decimal(raw) if raw else None)

    def day(self, column: str) -> date:
        return self.parse(column, date.fromisoformat)

    def optional_day(self, column: str) -> date | None:
        return self.parse(column, lambda raw: date.fromisoformat(raw) if raw else None)

    def flag(self, column: str) -> bool:
        return self.parse(column, _boolean)

    def words(self, column: str) -> frozenset[str]:
        return frozenset(self.text(column).split())


def _decimal(raw: str) -> Decimal:
    value = Decimal(raw)
    if not value.is_finite():
        raise ValueError(raw)
    return value


def _boolean(raw: str) -> bool:
    if raw.lower() in ("true", "yes", "1"):
        return True
    if raw.lower() in ("false", "no", "0", ""):
        return False
    raise ValueError(raw)


def _rows(path: Path) -> Iterator[_Row]:
    with path.open(newline="", encoding="utf-8") as handle:
        for number, cells in enumerate(csv.DictReader(handle), start=2):
            yield _Row(cells, f"{path.name}:{number}")


def read_regimes(path: Path) -> list[RegimeRow]:
    """Regime versions from ``regimes.csv``."""
    out = []
    for row in _rows(path):
        vat_kind = row.text("vat_kind")
        out.append(
            RegimeRow(
                code=row.text("code"),
                calculator=row.parse("calculator", Calculator),
                destinations=row.words("destinations"),
                modes=frozenset(
                    row.parse("modes", lambda raw: [ClearanceMode(m) for m in raw.split()])
                ),
                currency=row.text("currency"),
                effective_from=row.day("effective_from"),
                effective_to=row.optional_day("effective_to"),
                rate_table=row.text("rate_table"),
                vat_kind=row.parse("vat_kind", TaxKind) if vat_kind else None,
                tax_factor=row.decimal("tax_factor"),
                transaction_limit=row.optional_decimal("transaction_limit"),
                yearly_limit=row.optional_decimal("yearly_limit"),
                limit_basis=row.parse("limit_basis", LimitBasis),
                over_limit_regime=row.text("over_limit_regime"),
                indivisible_over_limit=row.parse("indivisible_over_limit", IndivisiblePolicy),
                waiver_threshold=row.optional_decimal("waiver_threshold"),
                base_includes_freight=row.flag("base_includes_freight"),
                excise_allowed=row.flag("excise_allowed"),
                requires_product_record=row.flag("requires_product_record"),
                low_value_duty=row.parse("low_value_duty", LowValueDuty),
                flat_duty_amount=row.decimal("flat_duty_amount"),
                collected_at_checkout=row.flag("collected_at_checkout"),
                notice=row.text("notice"),
            )
        )
    return out


def read_rates(path: Path) -> list[RateRow]:
    """HS-prefix rate rows from ``rates.csv``."""
    return [
        RateRow(
            table=row.text("table"),
            hs_prefix=row.text("hs_prefix"),
            flag=row.text("flag"),
            duty_rate=row.decimal("duty_rate"),
            vat_rate=row.optional_decimal("vat_rate"),
            ct_rate=row.decimal("ct_rate"),
            postal_category=row.text("postal_category"),
            excise=row.flag("excise"),
        )
        for row in _rows(path)
    ]


def read_postal_categories(path: Path) -> list[PostalCategoryRow]:
    """Personal-parcel tax categories from ``postal_categories.csv``."""
    return [
        PostalCategoryRow(
            code=row.text("code"), rate=row.decimal("rate"), description=row.text("description")
        )
        for row in _rows(path)
    ]


def read_vat_rates(path: Path) -> list[VatRateRow]:
    """Standard VAT/GST rates by country and period from ``vat_rates.csv``."""
    return [
        VatRateRow(
            country=row.text("country"),
            rate=row.decimal("rate"),
            effective_from=row.day("effective_from"),
            effective_to=row.optional_day("effective_to"),
        )
        for row in _rows(path)
    ]


def load_ratebook(seed_dir: Path | str | None = None) -> RateBook:
    """A RateBook from the CSV files in ``seed_dir`` (default: the shipped ``customs/seed``)."""
    folder = Path(seed_dir) if seed_dir is not None else SEED_DIR
    return RateBook(
        regimes=read_regimes(folder / "regimes.csv"),
        rates=read_rates(folder / "rates.csv"),
        postal_categories=read_postal_categories(folder / "postal_categories.csv"),
        vat_rates=read_vat_rates(folder / "vat_rates.csv"),
    )
