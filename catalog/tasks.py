"""Catalog background work: thin wrappers over the import services (idempotent)."""

import logging

from celery import shared_task
from django.db import DatabaseError

from catalog.services import imports
from marketplace.retry import MAX_RETRIES, TRANSIENT, retry_countdown

log = logging.getLogger(__name__)


@shared_task(
    name="catalog.tasks.import_job_execute", bind=True, acks_late=True, max_retries=MAX_RETRIES
)
def import_job_execute(self, job_id: int) -> str:
    """Run one CSV import job. Running it twice is harmless: a job already running or
    finished is left alone (see ``imports.import_job_run``).

    Retried with backoff (``marketplace.retry``) on an outage of the database, cache or
    broker: the job goes back to queued, and the seller's page says it is waiting. After
    the last retry the job fails with a message the seller can act on.
    """
    try:
        return imports.import_job_run(job_id=job_id).status
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            log.exception("import job %s: giving up after retries", job_id)
            try:
                imports.import_job_give_up(job_id=job_id)
            except DatabaseError:
                log.exception("import job %s: could not record the failure", job_id)
            raise
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task(name="catalog.tasks.import_jobs_sweep")
def import_jobs_sweep() -> int:
    """Periodic: re-enqueue import jobs whose message or worker was lost."""
    return imports.import_jobs_requeue_stuck()
