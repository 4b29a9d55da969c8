"""The retry policy of Celery tasks that wrap services: which errors pass (an outage of the
database, the cache or the broker) and how long to wait before the next try.

A task retries only on these; any other error is a bug or bad data and is recorded, not
retried. The wait doubles from 5 s up to 5 minutes (5, 10, 20, 40, 80 s … 300 s), so five
retries span about two and a half minutes of outage. The outbox has its own, longer policy
(``marketplace.outbox.backoff``): its rows wait on the far side (a gateway, a mail server).
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

TRANSIENT = (
    OperationalError,
    InterfaceError,
    RedisError,
    BrokerError,
    ConnectionError,
    TimeoutError,
)
MAX_RETRIES = 5


def retry_countdown(retries: int) -> int:
    """Seconds before retry number ``retries + 1``."""
    return min(5 * 2**retries, 300)
