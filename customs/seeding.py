"""Fill the rate tables from the shipped seed files (``customs/seed/*.csv``).

Used by the data migration (with historical models) and by ``manage.py seed_customs_rates``.
Idempotent and additive: a row whose natural key is already in the table is left as it is, so
an operator's edits survive a re-seed; only missing rows are created. The files are read with
the engine's own loader, so a bad cell fails here with the file, line and column.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from customs.engine.loader import (
    SEED_DIR,
    read_postal_categories,
    read_rates,
    read_regimes,
    read_vat_rates,
)


def _column(path: Path, name: str) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(cells.get(name) or "").strip() for cells in csv.DictReader(handle)]


def _split_description(text: str) -> tuple[str, str]:
    """Seed descriptions read "中文 / English"; the table keeps one column per language."""
    zh, sep, en = text.partition(" / ")
    return (en.strip(), zh.strip()) if sep else (text, text)


def seed_rate_tables(get_model: Callable[[str, str], type], seed_dir: Path | None = None) -> dict:
    """Create the seed rows missing from the four rate tables; return how many per table."""
    folder = Path(seed_dir) if seed_dir is not None else SEED_DIR
    Regime = get_model("customs", "Regime")
    HsRate = get_model("customs", "HsRate")
    PostalCategory = get_model("customs", "PostalCategory")
    VatRate = get_model("customs", "VatRate")
    created = {"regimes": 0, "rates": 0, "postal_categories": 0, "vat_rates": 0}

    path = folder / "postal_categories.csv"
    have = set(PostalCategory.objects.values_list("code", flat=True))
    new = []
    for row, text in zip(read_postal_categories(path), _column(path, "description"), strict=True):
        if row.code not in have:
            en, zh = _split_description(text)
            new.append(
                PostalCategory(
                    code=row.code,
                    rate=row.rate,
                    description=en,
                    description_en=en,
                    description_zh_hans=zh,
                )
            )
    PostalCategory.objects.bulk_create(new)
    created["postal_categories"] = len(new)

    path = folder / "vat_rates.csv"
    have = set(VatRate.objects.values_list("country", "effective_from"))
    new = [
        VatRate(
            country=row.country,
            rate=row.rate,
            effective_from=row.effective_from,
            effective_to=row.effective_to,
            note=note,
        )
        for row, note in zip(read_vat_rates(path), _column(path, "note"), strict=True)
        if (row.country, row.effective_from) not in have
    ]
    VatRate.objects.bulk_create(new)
    created["vat_rates"] = len(new)

    path = folder / "rates.csv"
    have = set(HsRate.objects.values_list("table", "hs_prefix", "flag"))
    new = [
        HsRate(
            table=row.table,
            hs_prefix=row.hs_prefix,
            flag=row.flag,
            duty_rate=row.duty_rate,
            vat_rate=row.vat_rate,
            ct_rate=row.ct_rate,
            postal_category=row.postal_category,
            excise=row.excise,
            note=note,
        )
        for row, note in zip(read_rates(path), _column(path, "note"), strict=True)
        if (row.table, row.hs_prefix, row.flag) not in have
    ]
    HsRate.objects.bulk_create(new)
    created["rates"] = len(new)

    path = folder / "regimes.csv"
    have = set(Regime.objects.values_list("code", "effective_from"))
    new = [
        Regime(
            code=row.code,
            calculator=row.calculator.value,
            destinations=" ".join(sorted(row.destinations)),
            modes=" ".join(sorted(mode.value for mode in row.modes)),
            currency=row.currency,
            effective_from=row.effective_from,
            effective_to=row.effective_to,
            rate_table=row.rate_table,
            vat_kind=row.vat_kind.value if row.vat_kind else "",
            tax_factor=row.tax_factor,
            transaction_limit=row.transaction_limit,
            yearly_limit=row.yearly_limit,
            limit_basis=row.limit_basis.value,
            over_limit_regime=row.over_limit_regime,
            indivisible_over_limit=row.indivisible_over_limit.value,
            waiver_threshold=row.waiver_threshold,
            base_includes_freight=row.base_includes_freight,
            excise_allowed=row.excise_allowed,
            requires_product_record=row.requires_product_record,
            low_value_duty=row.low_value_duty.value,
            flat_duty_amount=row.flat_duty_amount,
            collected_at_checkout=row.collected_at_checkout,
            notice=row.notice,
            note=note,
        )
        for row, note in zip(read_regimes(path), _column(path, "note"), strict=True)
        if (row.code, row.effective_from) not in have
    ]
    Regime.objects.bulk_create(new)
    created["regimes"] = len(new)
    return created
