"""Customs background work (routed to the ``customs`` queue): thin wrappers over the
assessment services. Idempotent: computing an assessment that is not pending does nothing,
so a redelivered or re-enqueued task is harmless."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from customs import selectors, services
from customs.models import DutyAssessment
from marketplace.retry import MAX_RETRIES, TRANSIENT, retry_countdown

log = logging.getLogger(__name__)


@shared_task(
    name="customs.tasks.compute_duty_assessment", bind=True, acks_late=True, max_retries=MAX_RETRIES
)
def compute_duty_assessment(self, assessment_id: int) -> str:
    """Compute (and, when asked, freeze) one pending duty assessment; returns its status.

    Retried with exponential backoff (5 s, 10 s, 20 s … up to 5 minutes) on an outage; after
    the last retry the assessment is failed with the reason, so an operator can recompute it.
    """
    try:
        return services.duty_assessment_compute(assessment_id=assessment_id).status
    except DutyAssessment.DoesNotExist:
        log.warning("duty assessment %s: no such row", assessment_id)
        return "missing"
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            log.exception("duty assessment %s: giving up after retries", assessment_id)
            try:
                services.duty_assessment_fail(assessment_id=assessment_id, reason=str(exc))
            except DatabaseError:
                log.exception("duty assessment %s: could not record the failure", assessment_id)
            raise
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task(name="customs.tasks.sweep_duty_assessments")
def sweep_duty_assessments(older_than_seconds: int = 300) -> int:
    """Periodic: enqueue again the assessments still pending (a lost message or worker)."""
    return services.duty_assessments_requeue(
        ids=selectors.assessments_stuck(older_than_seconds=older_than_seconds)
    )
