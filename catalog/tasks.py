"""Catalog background work: thin wrappers over the import services (idempotent)."""

from celery import shared_task

from catalog.services import imports


@shared_task(name="catalog.tasks.import_job_execute", acks_late=True)
def import_job_execute(job_id: int) -> str:
    """Run one CSV import job. Running it twice is harmless: a job already running or
    finished is left alone (see ``imports.import_job_run``)."""
    return imports.import_job_run(job_id=job_id).status


@shared_task(name="catalog.tasks.import_jobs_sweep")
def import_jobs_sweep() -> int:
    """Periodic: re-enqueue import jobs whose message or worker was lost."""
    return imports.import_jobs_requeue_stuck()
