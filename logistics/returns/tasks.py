"""Returns' background work: thin periodic wrappers over the services (beat; idempotent)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="returns.orders_complete_due")
def orders_complete_due() -> int:
    """Periodic: delivered orders whose return window ended with no open return complete
    (points earned, distribution commission confirmed). A run overlapping another finds
    each order re-checked under its lock."""
    return services.orders_complete_due()
