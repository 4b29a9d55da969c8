"""Celery: Redis broker, queues by kind. Without a broker, tasks run in process."""

from kombu import Queue

from .base import REDIS_URL, TEST_WORKER
from .env import env_bool, env_str

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or REDIS_URL or None
# Embedded default: no broker configured -> run tasks eagerly in the web process.
CELERY_TASK_ALWAYS_EAGER = env_bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://"
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (
    Queue("default"),
    Queue("customs"),
    Queue("notifications"),
)
# Queues by kind: the customs gateway must never wait behind an email blast.
CELERY_TASK_ROUTES = {
    "customs.tasks.*": {"queue": "customs"},
    "marketplace.tasks.send_*": {"queue": "notifications"},
    "accounts.tasks.*": {"queue": "notifications"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sweepers re-enqueue work whose task was lost (the database row is the record of intent).
CELERY_BEAT_SCHEDULE: dict = {
    "sweep-duty-assessments": {
        "task": "customs.tasks.sweep_duty_assessments",
        "schedule": 300.0,
        "kwargs": {"older_than_seconds": 300},
    },
    "sweep-import-jobs": {
        "task": "catalog.tasks.import_jobs_sweep",
        "schedule": 300.0,
    },
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{TEST_WORKER}:"} if TEST_WORKER else {}
