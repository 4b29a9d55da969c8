"""Kernel tasks: the outbox's delivery and sweeper, and a round-trip probe used by health
checks and the worker integration test."""

import socket

from celery import shared_task

from . import outbox


@shared_task(name="marketplace.tasks.ping")
def ping(token: str) -> dict[str, str]:
    """Echo ``token`` with the worker's host name: proves a worker picked the task up."""
    return {"token": token, "host": socket.gethostname()}


@shared_task(name="marketplace.tasks.outbox_deliver", acks_late=True)
def outbox_deliver(message_id: int) -> str:
    """Deliver one outbox message (``marketplace.outbox.outbox_deliver``). Retries are the
    outbox's own (backoff recorded on the row), not Celery's: the row is the state."""
    return outbox.outbox_deliver(message_id=message_id)


@shared_task(name="marketplace.tasks.outbox_sweep")
def outbox_sweep() -> int:
    """Periodic (beat): dispatch again the outbox messages a lost dispatch left pending."""
    return outbox.outbox_sweep()
