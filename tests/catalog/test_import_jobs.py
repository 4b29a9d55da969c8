"""Queued CSV imports: the stale-job claim, the sweeper that re-sends lost jobs, and the
task's retry with backoff when the database or cache is briefly unavailable."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from catalog.models import ImportJob, Stock
from catalog.services import imports
from catalog.tasks import import_job_execute
from marketplace.retry import MAX_RETRIES, retry_countdown
from tests.catalog.csv_rows import stock_csv
from tests.factories import SKUFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(tenants):
    WarehouseFactory(code="auckland", kind="overseas", country="NZ")
    SKUFactory(product__merchant=tenants.a.merchant, code="HONEY-250")
    return tenants.a


def queued(shop, *, status="queued", age=0, heartbeat_age=None) -> ImportJob:
    """A job as a large upload leaves it: the file stored, waiting for a worker."""
    job = ImportJob.objects.create(
        merchant=shop.merchant,
        kind="stock",
        content=stock_csv([("HONEY-250", "auckland", "7")]).decode(),
        total_rows=1,
        status=status,
        heartbeat_at=(timezone.now() - timedelta(seconds=heartbeat_age))
        if heartbeat_age is not None
        else None,
    )
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(seconds=age))
    return job


def on_hand() -> int:
    return sum(Stock.objects.values_list("on_hand", flat=True))


def test_a_job_running_with_fresh_progress_is_not_run_twice(shop):
    job = queued(shop, status="running", heartbeat_age=5)
    assert imports.import_job_run(job_id=job.pk).status == "running"
    assert on_hand() == 0


def test_a_job_whose_worker_died_is_claimed_again_once_stale(shop, settings):
    settings.CATALOG_IMPORT_STALE_SECONDS = 600
    job = queued(shop, status="running", heartbeat_age=601)
    assert imports.import_job_run(job_id=job.pk).status == "succeeded"
    assert on_hand() == 7
    # and a finished job is never run again (it would count 7 on hand again)
    Stock.objects.update(on_hand=3)
    assert imports.import_job_run(job_id=job.pk).status == "succeeded"
    assert on_hand() == 3


def test_the_sweeper_resends_lost_and_dead_jobs_only(shop, settings):
    settings.CATALOG_IMPORT_STALE_SECONDS = 600
    lost = queued(shop, age=601)  # its message never reached a worker
    dead = queued(shop, status="running", heartbeat_age=601)  # its worker died
    fresh = queued(shop, age=5)  # a worker is about to take it
    busy = queued(shop, status="running", heartbeat_age=5)  # a worker is on it
    assert imports.import_jobs_requeue_stuck() == 2  # tasks run in process here (eager)
    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses[lost.pk] == statuses[dead.pk] == "succeeded"
    assert statuses[fresh.pk] == "queued" and statuses[busy.pk] == "running"
    assert on_hand() == 7  # both files count the same SKU


def test_an_outage_puts_the_job_back_in_the_queue_and_the_task_retries(shop, monkeypatch):
    """Mocked: the database failing once in the middle of an import (no local stand-in
    drops one PostgreSQL query on demand)."""
    job = queued(shop)
    real = imports.stock_counts_set
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(imports, "stock_counts_set", flaky)
    # in process, Celery runs the retry at once instead of after the countdown (5 s)
    assert import_job_execute.apply((job.pk,), throw=False).get() == "succeeded"
    assert len(calls) == 2 and on_hand() == 7


def test_after_the_last_retry_the_seller_is_told_to_upload_again(shop, monkeypatch):
    job = queued(shop)

    def down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(imports, "stock_counts_set", down)
    # the task's last try (the ones before it were retried: the test above)
    with pytest.raises(OperationalError):
        import_job_execute.apply((job.pk,), retries=MAX_RETRIES, throw=False).get()
    job.refresh_from_db()
    assert job.status == "failed"
    assert "briefly unavailable" in job.errors[0]["message"] and on_hand() == 0


def test_the_wait_between_retries_doubles_up_to_five_minutes():
    assert [retry_countdown(n) for n in range(8)] == [5, 10, 20, 40, 80, 160, 300, 300]
