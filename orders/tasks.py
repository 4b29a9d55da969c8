"""Orders background work: thin wrappers over the services."""

from __future__ import annotations

from celery import shared_task

from orders import services


@shared_task(name="orders.tasks.checkouts_expire")
def checkouts_expire() -> int:
    """Periodic (beat, every minute): release the stock of checkouts not paid in time and
    cancel their orders; returns how many checkouts expired. Idempotent: each checkout is
    re-checked under its lock, so an overlapping run finds nothing to do."""
    return services.checkouts_expire()
