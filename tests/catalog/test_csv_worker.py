"""Big CSV imports run in a real Celery worker; the seller watches progress reach 100 %."""

import threading
import time
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse

from catalog.models import SKU, Category, ImportJob, Stock, StockAdjustment
from tests.catalog.csv_rows import product_row, stock_csv, to_csv
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    ProductFactory,
    SKUFactory,
    WarehouseFactory,
)

# Committed rows: the worker reads them (tests/conftest.py puts the currencies back).
pytestmark = [
    pytest.mark.worker,
    pytest.mark.xdist_group("worker"),
    pytest.mark.django_db(transaction=True),
]

ROWS = 900


@pytest.fixture
def big_shop(transactional_db, tenants, settings):
    settings.CATALOG_IMPORT_INLINE_MAX_ROWS = 200
    WarehouseFactory(code="auckland", kind="overseas", country="NZ")
    template = SKUFactory.build()
    product = ProductFactory(merchant=tenants.a.merchant)
    SKU.objects.bulk_create(
        SKU(
            merchant=tenants.a.merchant,
            product=product,
            code=f"BULK-{i:04d}",
            price=template.price,
            hs_code=template.hs_code,
            origin_country="NZ",
            net_weight_kg=template.net_weight_kg,
            gross_weight_kg=template.gross_weight_kg,
        )
        for i in range(ROWS)
    )
    return tenants.a


def _upload(tenant, data, kind="stock"):
    response = tenant.client.post(
        "/en/seller/stock/imports/",
        {"kind": kind, "file": SimpleUploadedFile(f"{kind}.csv", data)},
    )
    assert response.status_code == 302
    return ImportJob.objects.latest("id"), response.url


def _watch(tenant, job, url, timeout=120):
    """Poll like the page does; return every (status, percent) seen and the last page."""
    seen, deadline = [], time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        seen.append((job.status, job.percent))
        if job.is_finished or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return seen, tenant.client.get(url).content.decode()


def test_a_large_stock_file_runs_in_the_worker(celery_worker, big_shop):
    data = stock_csv([(f"BULK-{i:04d}", "auckland", str(i % 50 + 1)) for i in range(ROWS)])
    job, url = _upload(big_shop, data)
    assert job.total_rows == ROWS

    seen, page = _watch(big_shop, job, url)

    assert seen[-1] == ("succeeded", 100), job.errors
    assert job.processed_rows == ROWS
    assert "Imported. Every row was accepted." in page and 'http-equiv="refresh"' not in page
    assert Stock.objects.filter(merchant=big_shop.merchant).count() == ROWS
    assert StockAdjustment.objects.filter(reason="import").count() == ROWS
    assert celery_worker.poll() is None


def test_a_large_file_with_one_bad_row_imports_nothing(celery_worker, big_shop):
    rows = [(f"BULK-{i:04d}", "auckland", "5") for i in range(ROWS - 1)]
    rows.append(("NOT-MINE", "auckland", "5"))
    job, url = _upload(big_shop, stock_csv(rows))

    seen, page = _watch(big_shop, job, url)

    assert seen[-1][0] == "failed"
    assert job.errors == [
        {"line": ROWS + 1, "column": "sku_code", "message": "Unknown SKU code “NOT-MINE”."}
    ]
    assert "Nothing was imported" in page
    assert not Stock.objects.exists() and not StockAdjustment.objects.exists()


@contextmanager
def _category_held(category):
    """Another transaction holds ``category``'s row (FOR UPDATE) until the block ends: the
    worker's import stops at the first product filed under it (the foreign-key check waits),
    so the test sees the job mid-way however fast the machine is."""
    held, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                Category.objects.select_for_update().get(pk=category.pk)
                held.set()
                release.wait(120)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(30)
    try:
        yield
    finally:
        release.set()
        holder.join(60)


def test_a_large_product_file_shows_its_progress_while_the_worker_runs(
    celery_worker, transactional_db, tenants, settings
):
    settings.CATALOG_IMPORT_INLINE_MAX_ROWS = 10
    CategoryFactory(slug="honey")
    wine = CategoryFactory(slug="wine")
    BrandFactory(slug="comvita")
    rows = [
        product_row(
            product_slug=f"p-{i // 3}",
            name_en=f"Honey {i // 3}",
            sku_code=f"H-{i}",
            category="honey" if i < 240 else "wine",
        )
        for i in range(300)
    ]
    with _category_held(wine):
        job, url = _upload(tenants.a, to_csv(rows), kind="products")
        # the upload answers at once with the job's page; the worker has it (or will)
        assert not job.is_finished and reverse("stock:import_detail", args=[job.pk]) == url
        # the worker has gone through the honey rows and waits at the first wine product
        deadline = time.monotonic() + 90
        while job.percent < 50 and time.monotonic() < deadline:
            time.sleep(0.1)
            job.refresh_from_db()
        assert job.status == "running" and 50 <= job.percent < 100, (job.status, job.percent)
        # the worker may still be finishing its last honey rows: read the page once the
        # job's progress holds still (it waits at the held category), then compare
        for _ in range(50):
            shown = job.percent
            running_page = tenants.a.client.get(url).content.decode()
            job.refresh_from_db()
            if job.percent == shown:
                break
            time.sleep(0.1)
        assert 'http-equiv="refresh"' in running_page  # the page refreshes itself meanwhile
        assert f"{job.percent}%" in running_page

    seen, page = _watch(tenants.a, job, url)

    assert seen[-1] == ("succeeded", 100), job.errors
    assert job.summary["products_created"] == 100 and job.summary["skus_created"] == 300
    assert "Imported. Every row was accepted." in page and 'http-equiv="refresh"' not in page
