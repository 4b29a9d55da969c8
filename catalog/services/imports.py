"""Bulk CSV import and export of products and stock (the columns: docs/STOCK.md).

An upload becomes an ``ImportJob``. File-level problems (size, encoding, header, row count)
fail the job at once. Otherwise the rows are checked and written **in one transaction**:
every row is tried (each in its own savepoint, through the same services the portal uses),
every problem is collected as ``{line, column, message}`` in the job's language, and if any
row failed the whole transaction is rolled back, so a failed import changes nothing.

Small files run inside the request; files with more than
``settings.CATALOG_IMPORT_INLINE_MAX_ROWS`` rows run in a Celery worker
(``catalog.tasks.import_job_execute``, enqueued on commit). A worker publishes its progress
(``processed_rows``) through a second database connection, because the import's own
transaction is invisible to the seller's page until it commits.

Export writes the same columns, so exporting and importing the file again changes nothing.
Cells a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return
first) are exported with a leading apostrophe, and the import removes exactly that
apostrophe (``marketplace/csvcells.py``), so the round trip holds for them too.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.models import (
    SKU,
    TRADE_MODE_FLAGS,
    Brand,
    Category,
    ImportJob,
    PostalTaxCategory,
    Product,
    ProductRecordStatus,
    Stock,
    StockAdjustment,
    WholesaleTier,
)
from catalog.sanitize import sanitize_html
from catalog.services import products as product_services
from catalog.services.products import (
    ATTRIBUTE_FIELDS,
    SkuInput,
    normalize_hs_code,
)
from catalog.services.stock import StockCount, StockCountErrors, stock_counts_set
from logistics.models import Warehouse
from marketplace.csvcells import cell_from_import, csv_lines
from marketplace.digits import is_ascii_digits
from marketplace.retry import TRANSIENT
from marketplace.rules import field_error
from merchants.roles import Capability
from merchants.services import require_capability

log = logging.getLogger(__name__)

PRODUCT_COLUMNS = (
    "product_slug",
    "name_en",
    "name_zh_hans",
    "description_en",
    "description_zh_hans",
    "category",
    "brand",
    "listing_currency",
    "product_min_order_quantity",
    "sku_code",
    "price",
    "barcode",
    "attributes_en",
    "attributes_zh_hans",
    "hs_code",
    "origin_country",
    "net_weight_kg",
    "gross_weight_kg",
    "length_cm",
    "width_cm",
    "height_cm",
    "customs_unit",
    "trade_modes",
    "postal_tax_category",
    "excise_category",
    "product_record_number",
    "product_record_status",
    "wholesale_tiers",
    "min_order_quantity",
    "low_stock_threshold",
)
# Columns describing the product (repeated on each of its SKU rows; they must agree).
PRODUCT_LEVEL = PRODUCT_COLUMNS[: PRODUCT_COLUMNS.index("sku_code")]
STOCK_COLUMNS = ("sku_code", "warehouse_code", "quantity")
COLUMNS = {ImportJob.Kind.PRODUCTS: PRODUCT_COLUMNS, ImportJob.Kind.STOCK: STOCK_COLUMNS}

# The product record columns are customs' (read-only here): the code a differing cell gets.
RECORD_READ_ONLY_CODE = "record_read_only"
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
# Reports keep the first problems; a file with thousands of errors is wrong in one way.
MAX_REPORTED_ERRORS = 500


class _Rollback(Exception):
    """Raised inside the import transaction to undo every row when any row failed."""


def _error(line: int, column: str, message: str, *, code: str | None = None) -> dict:
    """One problem of an import. ``code`` only for a rule of the services (the code the API
    gives for the same rule); the file's own format problems have none."""
    error = {"line": line, "column": column, "message": str(message)}
    if code:
        error["code"] = code
    return error


# --- reading the file ------------------------------------------------------------------------


@dataclass
class ParsedFile:
    """A decoded CSV: its data rows (line number, cells by column) or file-level errors."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def decode_upload(data: bytes) -> tuple[str, list[dict]]:
    """Bytes → text. UTF-8 only (a leading byte-order mark is dropped); anything else is an
    error naming the line of the first undecodable byte."""
    if len(data) > settings.CATALOG_IMPORT_MAX_BYTES:
        limit = settings.CATALOG_IMPORT_MAX_BYTES // 1024
        return "", [_error(0, "", _("The file is too large: at most %(kb)d KB.") % {"kb": limit})]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return "", [
            _error(
                line,
                "",
                _(
                    "The file is not UTF-8 text (first unreadable byte on this line). "
                    "Save it as “CSV UTF-8” and upload it again."
                ),
            )
        ]
    if "\x00" in text:
        return "", [_error(0, "", _("This is not a CSV text file."))]
    return text, []


def parse_csv(text: str, *, kind: str) -> ParsedFile:
    """Check the header and split ``text`` into data rows (blank lines skipped)."""
    parsed = ParsedFile()
    expected = COLUMNS[kind]
    if not text.strip():
        parsed.errors.append(_error(0, "", _("The file is empty.")))
        return parsed
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        if not any(header):
            parsed.errors.append(_error(1, "", _("The first line must name the columns.")))
            return parsed
        seen: set[str] = set()
        for name in header:
            if name in seen:
                parsed.errors.append(_error(1, name, _("This column appears twice in the header.")))
            seen.add(name)
        for name in header:
            if name not in expected:
                parsed.errors.append(
                    _error(
                        1,
                        name,
                        _("Unknown column. The columns are: %(columns)s.")
                        % {"columns": ", ".join(expected)},
                    )
                )
        for name in expected:
            if name not in seen:
                parsed.errors.append(_error(1, name, _("This column is missing.")))
        if parsed.errors:
            return parsed
        max_rows = settings.CATALOG_IMPORT_MAX_ROWS
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(parsed.rows) >= max_rows:
                parsed.errors.append(
                    _error(
                        start,
                        "",
                        _("Too many rows: at most %(max)d per file. Split the file.")
                        % {"max": max_rows},
                    )
                )
                parsed.rows = []
                return parsed
            if len(cells) != len(header):
                parsed.errors.append(
                    _error(
                        start,
                        "",
                        _("This row has %(cells)d cells; the header has %(columns)d.")
                        % {"cells": len(cells), "columns": len(header)},
                    )
                )
                continue
            parsed.rows.append(
                (
                    start,
                    {h: cell_from_import(c.strip()) for h, c in zip(header, cells, strict=True)},
                )
            )
    except csv.Error as exc:
        parsed.errors.append(
            _error(reader.line_num, "", _("The CSV is malformed: %(problem)s") % {"problem": exc})
        )
        return parsed
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(_error(0, "", _("The file has a header but no rows.")))
    return parsed


# --- cell readers ----------------------------------------------------------------------------


class _Cells:
    """One data row's cells, read with the rules of their column; problems are collected."""

    def __init__(self, line: int, cells: dict[str, str], errors: list[dict]):
        self.line, self.cells, self.errors = line, cells, errors
        self.ok = True

    def fail(self, column: str, message: str) -> None:
        self.ok = False
        self.errors.append(_error(self.line, column, message))

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.cells.get(column, "")
        if required and not value:
            self.fail(column, _("This cell is required."))
        return value

    def decimal(self, column: str, *, required: bool = True, default: str = "0") -> Decimal | None:
        raw = self.cells.get(column, "")
        if not raw:
            if required:
                self.fail(column, _("This cell is required."))
                return None
            raw = default
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.fail(
                column,
                _("“%(value)s” is not a number. Write it like 12.50 (a dot, no separators).")
                % {"value": raw},
            )
            return None
        if value < 0:
            # numbers are written without a sign in this file (a format, like the dot)
            self.fail(column, _("The number cannot be negative."))
            return None
        return value

    def integer(self, column: str, *, default: int) -> int | None:
        raw = self.cells.get(column, "")
        if not raw:
            return default
        if not is_ascii_digits(raw):
            self.fail(column, _("“%(value)s” is not a whole number.") % {"value": raw})
            return None
        return int(raw)

    def attributes(self, column: str) -> dict[str, str]:
        """``size=M;colour=red`` → ``{"size": "M", "colour": "red"}``."""
        raw = self.text(column)
        if not raw:
            return {}
        pairs = _pairs(raw)
        if pairs is None or len({k for k, _v in pairs}) != len(pairs):
            self.fail(
                column,
                _(
                    "Write attributes as name=value pairs separated by “;”, each name once "
                    "(e.g. size=M;colour=red)."
                ),
            )
            return {}
        return dict(pairs)

    def choice(self, column: str, choices, *, default: str) -> str:
        raw = self.cells.get(column, "").lower() or default
        if raw not in choices.values:
            self.fail(
                column,
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": raw, "choices": ", ".join(choices.values)},
            )
        return raw


# --- products ----------------------------------------------------------------------------------


@dataclass
class _ProductRow:
    line: int
    slug: str
    product: dict
    sku: SkuInput
    # the record cells as written: read-only, checked against the SKU (``record_cells_check``)
    record: tuple[str, str] = ("", "")


def _pairs(raw: str) -> list[tuple[str, str]] | None:
    """``a=1;b=2`` → ``[("a", "1"), ("b", "2")]``; ``None`` when malformed."""
    pairs = []
    for item in raw.split(";"):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            return None
        pairs.append((key.strip(), value.strip()))
    return pairs


class ProductImporter:
    """Reads product rows, then writes them: new products as drafts (``product_create``),
    SKUs through ``sku_upsert``; unchanged rows are left untouched."""

    def __init__(self, *, merchant, actor, errors: list[dict]):
        self.merchant, self.actor, self.errors = merchant, actor, errors
        self.summary = {
            "products_created": 0,
            "products_updated": 0,
            "skus_created": 0,
            "skus_updated": 0,
            "rows_unchanged": 0,
        }

    # reading
    def load_references(self, rows) -> None:
        slugs = {cells["product_slug"] for _line, cells in rows}
        codes = {cells["sku_code"] for _line, cells in rows}
        self.categories = {c.slug: c for c in Category.objects.filter(is_active=True)}
        self.brands = {b.slug: b for b in Brand.objects.filter(is_active=True)}
        self.products = {
            p.slug: p for p in Product.objects.for_merchant(self.merchant).filter(slug__in=slugs)
        }
        self.skus = {
            s.code: s
            for s in SKU.objects.for_merchant(self.merchant)
            .filter(code__in=codes)
            .select_related("product")
            .prefetch_related(
                Prefetch("tiers", queryset=WholesaleTier.objects.order_by("min_quantity"))
            )
        }

    def read(self, line: int, cells: dict[str, str]) -> _ProductRow | None:
        row = _Cells(line, cells, self.errors)
        slug = row.text("product_slug", required=True).lower()
        if slug and not SLUG.match(slug):
            row.fail(
                "product_slug",
                _("Use lower-case letters, digits and hyphens, e.g. manuka-honey-250g."),
            )
        name_en = row.text("name_en")
        name_zh = row.text("name_zh_hans")
        category = row.text("category", required=True)
        if category and category not in self.categories:
            row.fail(
                "category",
                _("Unknown category “%(value)s”: use a category slug.") % {"value": category},
            )
        brand = row.text("brand")
        if brand and brand not in self.brands:
            row.fail(
                "brand",
                _("Unknown brand “%(value)s”: use a brand slug or leave it empty.")
                % {"value": brand},
            )
        # Here only what the services cannot see: the cells' formats (numbers, whole numbers,
        # pairs, choices, names of trade modes, slugs of categories and brands) and the cells
        # a row must have. Every rule about the values (lengths, currency, country, HS code,
        # weights, trade modes, records, tiers, attributes) is the product services', with
        # the messages the portal and the API give.
        currency = (row.text("listing_currency") or "CNY").upper()
        product = {
            "name_en": name_en,
            "name_zh_hans": name_zh,
            "description_en": sanitize_html(row.text("description_en")),
            "description_zh_hans": sanitize_html(row.text("description_zh_hans")),
            "category": category,
            "brand": brand,
            "listing_currency": currency,
            "min_order_quantity": row.integer("product_min_order_quantity", default=1),
        }

        modes = [m.strip().lower() for m in row.text("trade_modes").split(";") if m.strip()]
        flags = dict.fromkeys(TRADE_MODE_FLAGS.values(), False)
        for mode in modes:
            if mode not in TRADE_MODE_FLAGS:
                row.fail(
                    "trade_modes",
                    _("Unknown trade mode “%(value)s”. Use %(modes)s, separated by “;”.")
                    % {"value": mode, "modes": ", ".join(TRADE_MODE_FLAGS)},
                )
            else:
                flags[TRADE_MODE_FLAGS[mode]] = True

        tiers: list[tuple[int, Decimal]] = []
        if raw := row.text("wholesale_tiers"):
            pairs = _pairs(raw)
            try:
                tiers = [(int(q), Decimal(p)) for q, p in pairs or []]
                valid = pairs is not None and all(p.is_finite() for _q, p in tiers)
            except (ValueError, InvalidOperation):
                valid = False
            if not valid:
                row.fail(
                    "wholesale_tiers",
                    _(
                        "Write tiers as quantity=unit price pairs separated by “;” "
                        "(e.g. 10=18.50;50=16.00)."
                    ),
                )
                tiers = []

        sku = SkuInput(
            code=row.text("sku_code", required=True),
            price=row.decimal("price"),
            hs_code=normalize_hs_code(row.text("hs_code", required=True)),
            origin_country=row.text("origin_country", required=True).upper(),
            net_weight_kg=row.decimal("net_weight_kg"),
            gross_weight_kg=row.decimal("gross_weight_kg"),
            barcode=row.text("barcode"),
            **{column: row.attributes(column) for column in ATTRIBUTE_FIELDS},
            min_order_quantity=row.integer("min_order_quantity", default=1),
            low_stock_threshold=row.integer("low_stock_threshold", default=5),
            length_cm=row.decimal("length_cm", required=False),
            width_cm=row.decimal("width_cm", required=False),
            height_cm=row.decimal("height_cm", required=False),
            customs_unit=row.text("customs_unit") or "011",
            postal_tax_category=row.choice("postal_tax_category", PostalTaxCategory, default="20"),
            excise_category=row.text("excise_category"),
            tiers=sorted(tiers),
            **flags,
        )
        if not row.ok:
            return None
        record = (
            row.text("product_record_status").lower(),
            row.text("product_record_number"),
        )
        return _ProductRow(line, slug, product, sku, record)

    def check_groups(self, rows: list[_ProductRow]) -> dict[str, list[_ProductRow]]:
        """Rows grouped by product; a repeated SKU code or disagreeing product cells fail."""
        groups: dict[str, list[_ProductRow]] = {}
        first_line_of_code: dict[str, int] = {}
        for row in rows:
            if row.sku.code in first_line_of_code:
                self.errors.append(
                    _error(
                        row.line,
                        "sku_code",
                        _("SKU code %(code)s is already on line %(line)d: one row per SKU.")
                        % {"code": row.sku.code, "line": first_line_of_code[row.sku.code]},
                    )
                )
                continue
            first_line_of_code[row.sku.code] = row.line
            group = groups.setdefault(row.slug, [])
            if group and group[0].product != row.product:
                differing = [k for k in row.product if row.product[k] != group[0].product[k]]
                self.errors.append(
                    _error(
                        row.line,
                        differing[0] if differing else "product_slug",
                        _(
                            "The product cells must be the same on every row of product "
                            "%(slug)s; this row differs from line %(line)d."
                        )
                        % {"slug": row.slug, "line": group[0].line},
                    )
                )
                continue
            group.append(row)
        return groups

    # writing
    def _product_for(self, slug: str, rows: list[_ProductRow]) -> Product | None:
        """The existing product named by ``slug`` (``None``: a new one). A row whose SKU code
        already belongs to a different product fails: codes are unique per merchant."""
        product = self.products.get(slug)
        ok = True
        for row in rows:
            existing = self.skus.get(row.sku.code)
            if existing is not None and (product is None or existing.product_id != product.pk):
                self.errors.append(
                    _error(
                        row.line,
                        "sku_code",
                        _("SKU code %(code)s belongs to another product (%(slug)s).")
                        % {"code": row.sku.code, "slug": existing.product.slug},
                    )
                )
                ok = False
        if not ok:
            raise _Rollback
        return product

    def _product_values(self, row: _ProductRow) -> dict:
        values = dict(row.product)
        values["category"] = self.categories[values["category"]]
        values["brand"] = self.brands.get(values["brand"]) if values["brand"] else None
        return values

    def _product_changes(self, product: Product, values: dict) -> dict:
        changes = {}
        for key, value in values.items():
            current = getattr(product, f"{key}_id" if key in ("category", "brand") else key)
            if current is None and key not in ("category", "brand"):
                current = ""  # translated columns are nullable: empty and NULL are the same
            wanted = value.pk if key in ("category", "brand") and value is not None else value
            if current != wanted:
                changes[key] = value
        return changes

    def _sku_changed(self, sku: SKU, data: SkuInput) -> bool:
        for key, value in data.__dict__.items():
            if key not in ("code", "tiers") and getattr(sku, key) != value:
                return True
        return [(t.min_quantity, t.unit_price) for t in sku.tiers.all()] != data.tiers

    def _record_cells_ok(self, row: _ProductRow, existing: SKU | None) -> bool:
        """The product record columns are read-only (customs' answer sets them): a cell may
        be empty or repeat what the export wrote; anything else refuses the row."""
        status, number = row.record
        current = (
            (existing.product_record_status, existing.product_record_number)
            if existing is not None
            else (ProductRecordStatus.NONE, "")
        )
        ok = True
        for column, cell, value in (
            ("product_record_status", status, current[0]),
            ("product_record_number", number, current[1]),
        ):
            if cell and cell != value:
                ok = False
                self.errors.append(
                    _error(
                        row.line,
                        column,
                        _(
                            "The product record is set by customs' answer, not by the file: "
                            "leave this cell empty or as exported (“%(value)s”), and submit "
                            "the record from the product page or the seller API."
                        )
                        % {"value": value},
                        code=RECORD_READ_ONLY_CODE,
                    )
                )
        return ok

    def write_group(self, slug: str, rows: list[_ProductRow]) -> None:
        first = rows[0]
        values = self._product_values(first)
        # The product services are atomic: a refused row rolls back to their own savepoint,
        # so no extra savepoint per row here (thousands of them slow PostgreSQL down).
        try:
            product = self._product_for(slug, rows)
            if product is None:
                product = product_services.product_create(
                    merchant=self.merchant, slug=slug, **values
                )
                self.summary["products_created"] += 1
            elif changes := self._product_changes(product, values):
                _product_update(product=product, changes=changes, actor=self.actor)
                self.summary["products_updated"] += 1
        except _Rollback:
            return
        except ValidationError as exc:
            self._collect(first.line, exc, PRODUCT_FIELD_COLUMNS)
            return
        for row in rows:
            existing = self.skus.get(row.sku.code)
            if not self._record_cells_ok(row, existing):
                continue
            if existing is not None:
                # The file has no "active" column: a variant keeps its on/off state.
                row.sku.is_active = existing.is_active
                if not self._sku_changed(existing, row.sku):
                    self.summary["rows_unchanged"] += 1
                    continue
            try:
                # The file is the truth for tiers: an empty cell removes them.
                product_services.sku_upsert(
                    product=product, data=row.sku, by=self.actor, replace_tiers=True
                )
            except ValidationError as exc:
                self._collect(row.line, exc, SKU_FIELD_COLUMNS)
                continue
            self.summary["skus_updated" if existing else "skus_created"] += 1

    def _collect(self, line: int, exc: ValidationError, columns: dict[str, str]) -> None:
        """A service's refusal as row errors: each rule's message, with its code (the one
        the API answers with) when the rule has one."""
        by_field = exc.error_dict if hasattr(exc, "error_dict") else {"": exc.error_list}
        seen: set[tuple[str, str]] = set()
        for name, errors in by_field.items():
            column = columns.get(name, name if name in PRODUCT_COLUMNS else "")
            for error in errors:
                for message in error.messages:
                    if (column, message) not in seen:
                        seen.add((column, message))
                        self.errors.append(_error(line, column, message, code=error.code))

    def run(self, rows, progress: Callable[[int], None]) -> None:
        self.load_references(rows)
        read = []
        for line, cells in rows:
            parsed = self.read(line, cells)
            if parsed is not None:
                read.append(parsed)
        groups = self.check_groups(read)
        failed_rows = len(rows) - sum(len(g) for g in groups.values())
        progress(failed_rows)
        for slug, group in groups.items():
            self.write_group(slug, group)
            progress(len(group))


# Model field → CSV column, for errors raised by the product services' own validation.
PRODUCT_FIELD_COLUMNS = {
    "name": "name_en",
    "description": "description_en",
    "min_order_quantity": "product_min_order_quantity",
    "slug": "product_slug",
}
SKU_FIELD_COLUMNS = {
    "code": "sku_code",
    "tiers": "wholesale_tiers",
    "min_quantity": "wholesale_tiers",
    "unit_price": "wholesale_tiers",
    **dict.fromkeys(TRADE_MODE_FLAGS.values(), "trade_modes"),
}


def _product_update(*, product: Product, changes: dict, actor) -> None:
    """Apply changed product cells through the products service (live products: review)."""
    product_services.product_update(product=product, by=actor, **changes)


# --- stock ---------------------------------------------------------------------------------------


class StockImporter:
    """Sets counted quantities on hand (reason ``import``) through ``stock_counts_set``, a
    batch at a time; unchanged rows write nothing."""

    BATCH = 200
    COLUMNS = {"warehouse": "warehouse_code", "sku": "sku_code"}

    def __init__(self, *, merchant, actor, errors: list[dict], note: str = ""):
        self.merchant, self.actor, self.errors, self.note = merchant, actor, errors, note
        self.summary = {"stock_changed": 0, "rows_unchanged": 0}

    def read(self, rows) -> list[tuple[int, StockCount]]:
        codes = {cells["sku_code"] for _line, cells in rows}
        skus = {s.code: s for s in SKU.objects.for_merchant(self.merchant).filter(code__in=codes)}
        warehouses = {
            w.code: w
            for w in Warehouse.objects.usable_by(self.merchant).filter(
                code__in={cells["warehouse_code"].lower() for _l, cells in rows}
            )
        }
        seen: dict[tuple[str, str], int] = {}
        counts = []
        for line, cells in rows:
            row = _Cells(line, cells, self.errors)
            code = row.text("sku_code", required=True)
            wh_code = row.text("warehouse_code", required=True).lower()
            quantity = row.integer("quantity", default=-1)
            if quantity == -1:
                row.fail("quantity", _("This cell is required."))
            sku, warehouse = skus.get(code), warehouses.get(wh_code)
            if code and sku is None:
                row.fail("sku_code", _("Unknown SKU code “%(value)s”.") % {"value": code})
            if wh_code and warehouse is None:
                row.fail(
                    "warehouse_code", _("Unknown warehouse code “%(value)s”.") % {"value": wh_code}
                )
            key = (code, wh_code)
            if key in seen:
                row.fail(
                    "sku_code",
                    _("This SKU and warehouse are already on line %(line)d.") % {"line": seen[key]},
                )
            seen.setdefault(key, line)
            if row.ok:
                counts.append((line, StockCount(sku=sku, warehouse=warehouse, on_hand=quantity)))
        return counts

    def run(self, rows, progress: Callable[[int], None]) -> None:
        counts = self.read(rows)
        progress(len(rows) - len(counts))
        for start in range(0, len(counts), self.BATCH):
            batch = counts[start : start + self.BATCH]
            try:
                written = stock_counts_set(
                    merchant=self.merchant,
                    counts=[count for _line, count in batch],
                    actor=self.actor,
                    note=self.note,
                    reason=StockAdjustment.Reason.IMPORT,
                )
            except StockCountErrors as exc:
                for index, error in exc.by_index.items():
                    line = batch[index][0]
                    for name, messages in getattr(
                        error, "message_dict", {"": error.messages}
                    ).items():
                        for message in messages:
                            self.errors.append(
                                _error(line, self.COLUMNS.get(name, "quantity"), message)
                            )
            else:
                self.summary["stock_changed"] += len(written)
                self.summary["rows_unchanged"] += len(batch) - len(written)
            progress(len(batch))


# --- jobs --------------------------------------------------------------------------------------


class _Progress:
    """Publishes ``processed_rows`` while the import's transaction is still open.

    A worker writes through its own short-lived second connection (autocommit), so the
    seller's page sees the count move; inside a request (inline runs) nobody is watching
    and nothing is written until the end.
    """

    def __init__(self, job: ImportJob, *, live: bool):
        self.job, self.done = job, 0
        self.step = max(1, job.total_rows // 50)
        self.last_written = 0
        self.side = None
        if live and connection.vendor == "postgresql":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, rows: int) -> None:
        self.done += rows
        if self.side is not None and self.done - self.last_written >= self.step:
            self.last_written = self.done
            table = connection.ops.quote_name(ImportJob._meta.db_table)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET processed_rows = %s, heartbeat_at = %s WHERE id = %s",  # noqa: S608 - table name from the model
                    [min(self.done, self.job.total_rows), timezone.now(), self.job.pk],
                )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _importer(job: ImportJob, errors: list[dict]):
    if job.kind == ImportJob.Kind.PRODUCTS:
        return ProductImporter(merchant=job.merchant, actor=job.created_by, errors=errors)
    return StockImporter(
        merchant=job.merchant,
        actor=job.created_by,
        errors=errors,
        note=_("CSV import #%(job)d") % {"job": job.pk},
    )


def _cap(errors: list[dict]) -> list[dict]:
    if len(errors) <= MAX_REPORTED_ERRORS:
        return errors
    kept = sorted(errors, key=lambda e: e["line"])[:MAX_REPORTED_ERRORS]
    more = len(errors) - MAX_REPORTED_ERRORS
    return [*kept, _error(0, "", _("… and %(count)d more problems.") % {"count": more})]


def _claim(job_id: int) -> bool:
    """Move a job to running unless someone else runs (or ran) it: the idempotency guard."""
    stale = timezone.now() - timedelta(seconds=settings.CATALOG_IMPORT_STALE_SECONDS)
    now = timezone.now()
    claimed = ImportJob.objects.filter(
        Q(status=ImportJob.Status.QUEUED)
        | Q(status=ImportJob.Status.RUNNING, heartbeat_at__lt=stale),
        pk=job_id,
    ).update(status=ImportJob.Status.RUNNING, started_at=now, heartbeat_at=now, processed_rows=0)
    return claimed == 1


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued import job to its end (succeeded or failed). Safe to call twice: a job
    that is already running, or finished, is left alone.

    Not itself atomic on purpose: the job row's progress and outcome must survive the
    rollback of a failed import. The data writes happen in one inner transaction.
    """
    live = not connection.in_atomic_block
    if not _claim(job_id):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("merchant", "created_by").get(pk=job_id)
    errors: list[dict] = []
    progress = _Progress(job, live=live)
    try:
        with translation.override(job.language):
            parsed = parse_csv(job.content, kind=job.kind)
            errors.extend(parsed.errors)
            importer = _importer(job, errors)
            try:
                with transaction.atomic():
                    if not errors:
                        importer.run(parsed.rows, progress)
                    if errors:
                        raise _Rollback
                    ImportJob.objects.filter(pk=job.pk).update(
                        status=ImportJob.Status.SUCCEEDED,
                        processed_rows=job.total_rows,
                        summary=importer.summary,
                        errors=[],
                        finished_at=timezone.now(),
                        heartbeat_at=timezone.now(),
                    )
            except _Rollback:
                _finish_failed(job, _cap(sorted(errors, key=lambda e: e["line"])), progress.done)
    except PermissionDenied as exc:
        # the uploader may no longer edit the catalog (removed, or their role changed) since
        # the upload: nothing is imported, and the report says why
        with translation.override(job.language):
            _finish_failed(job, [_error(0, "", str(exc))], 0)
    except TRANSIENT:
        # an outage, not the file: back in the queue (nothing was imported) for the task's
        # retry; if even this write fails the job goes stale and is claimed again later
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.QUEUED, processed_rows=0
        )
        raise
    except Exception:
        log.exception("import job %s stopped on an unexpected error", job_id)
        with translation.override(job.language):
            _finish_failed(
                job,
                [
                    _error(
                        0,
                        "",
                        _(
                            "The import stopped on an unexpected error; nothing was "
                            "imported. Try again, or contact the operator."
                        ),
                    )
                ],
                0,
            )
        raise
    finally:
        progress.close()
    job.refresh_from_db()
    return job


def import_job_give_up(*, job_id: int) -> None:
    """Fail a job whose worker could not reach the database or cache through every retry."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status in (ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED):
        return
    with translation.override(job.language):
        message = _(
            "The import could not run because the platform was briefly unavailable; "
            "nothing was imported. Upload the file again."
        )
        _finish_failed(job, [_error(0, "", message)], 0)


def _finish_failed(job: ImportJob, errors: list[dict], processed: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED,
        errors=errors,
        processed_rows=min(processed, job.total_rows),
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )


@transaction.atomic
def import_job_create(
    *, merchant, kind: str, data: bytes, filename: str = "", actor=None, language: str = ""
) -> ImportJob:
    """Accept an uploaded CSV: file-level problems fail the job at once; small files are
    imported now, larger ones are queued for a worker (after this transaction commits).

    The report is written in ``language`` (default: the active one).
    """
    require_capability(by=actor, merchant=merchant, capability=Capability.MANAGE_CATALOG)
    if kind not in ImportJob.Kind.values:
        raise field_error("kind", _("Choose products or stock."), "import_kind")
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        text, errors = decode_upload(data)
        parsed = parse_csv(text, kind=kind) if not errors else ParsedFile()
        errors.extend(parsed.errors)
    job = ImportJob.objects.create(
        merchant=merchant,
        kind=kind,
        filename=(filename or "")[:255],
        content=text if not errors else "",
        language=language,
        total_rows=len(parsed.rows),
        created_by=actor,
    )
    if errors:
        _finish_failed(job, _cap(errors), 0)
    elif job.total_rows <= settings.CATALOG_IMPORT_INLINE_MAX_ROWS:
        import_job_run(job_id=job.pk)
    else:
        from catalog.tasks import import_job_execute

        transaction.on_commit(lambda: import_job_execute.delay(job.pk))
    job.refresh_from_db()
    return job


def import_jobs_requeue_stuck(*, older_than_seconds: int | None = None) -> int:
    """Re-enqueue jobs still queued (their message was lost) or running without progress
    (their worker died; the import rolled back). Returns how many were sent again."""
    from catalog.tasks import import_job_execute

    age = older_than_seconds or settings.CATALOG_IMPORT_STALE_SECONDS
    cutoff = timezone.now() - timedelta(seconds=age)
    stuck = ImportJob.objects.filter(
        Q(status=ImportJob.Status.QUEUED, created_at__lt=cutoff)
        | Q(status=ImportJob.Status.RUNNING, heartbeat_at__lt=cutoff)
    ).values_list("pk", flat=True)
    ids = list(stuck)
    for pk in ids:
        import_job_execute.delay(pk)
    return len(ids)


# --- export ------------------------------------------------------------------------------------


def _number(value) -> str:
    return "" if value is None else str(value)


def _attributes_cell(attributes: dict | None) -> str:
    return ";".join(f"{k}={v}" for k, v in (attributes or {}).items())


def product_rows_for_export(merchant) -> Iterator[list[str]]:
    """The merchant's products as CSV rows (one per SKU), header first, in import columns."""
    yield list(PRODUCT_COLUMNS)
    skus = (
        SKU.objects.for_merchant(merchant)
        .select_related("product", "product__category", "product__brand")
        .prefetch_related(
            Prefetch("tiers", queryset=WholesaleTier.objects.order_by("min_quantity"))
        )
        .order_by("product__slug", "code")
    )
    for sku in skus.iterator(chunk_size=500):
        product = sku.product
        yield [
            product.slug,
            product.name_en or "",
            product.name_zh_hans or "",
            product.description_en or "",
            product.description_zh_hans or "",
            product.category.slug,
            product.brand.slug if product.brand else "",
            product.listing_currency,
            str(product.min_order_quantity),
            sku.code,
            _number(sku.price),
            sku.barcode,
            _attributes_cell(sku.attributes_en),
            _attributes_cell(sku.attributes_zh_hans),
            sku.hs_code,
            sku.origin_country,
            _number(sku.net_weight_kg),
            _number(sku.gross_weight_kg),
            _number(sku.length_cm),
            _number(sku.width_cm),
            _number(sku.height_cm),
            sku.customs_unit,
            ";".join(sku.trade_modes),
            sku.postal_tax_category,
            sku.excise_category,
            sku.product_record_number,
            sku.product_record_status,
            ";".join(f"{t.min_quantity}={t.unit_price}" for t in sku.tiers.all()),
            str(sku.min_order_quantity),
            str(sku.low_stock_threshold),
        ]


def stock_rows_for_export(merchant) -> Iterator[list[str]]:
    """The merchant's stock rows (counted quantity on hand) in the import's columns."""
    yield list(STOCK_COLUMNS)
    rows = (
        Stock.objects.for_merchant(merchant)
        .select_related("sku", "warehouse")
        .order_by("sku__code", "warehouse__code")
    )
    for stock in rows.iterator(chunk_size=2000):
        yield [stock.sku.code, stock.warehouse.code, str(stock.on_hand)]


def export_csv_lines(kind: str, merchant) -> Iterator[str]:
    """Encoded CSV text, line by line (for a streaming response). Starts with a UTF-8
    byte-order mark so spreadsheet programs read the Chinese text correctly; cells a
    spreadsheet would run as formulas are neutralised (``marketplace.csvcells``), and the
    import undoes exactly that."""
    rows = (
        product_rows_for_export(merchant) if kind == "products" else stock_rows_for_export(merchant)
    )
    yield "\ufeff"
    yield from csv_lines(rows)
