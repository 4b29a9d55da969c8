"""Payments' periodic task: purge raw provider records past their retention."""

from celery import shared_task

from . import services


@shared_task(name="payments.tasks.payments_purge_raw")
def payments_purge_raw() -> int:
    """Daily (beat): empty the raw Stripe records whose ``keep_until`` has passed."""
    return services.payment_raw_purge()
