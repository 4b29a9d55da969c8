"""Kernel tasks: a round-trip probe used by health checks and the worker integration test."""

import socket

from celery import shared_task


@shared_task(name="marketplace.tasks.ping")
def ping(token: str) -> dict[str, str]:
    """Echo ``token`` with the worker's host name: proves a worker picked the task up."""
    return {"token": token, "host": socket.gethostname()}
