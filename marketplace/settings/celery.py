"""Celery: Redis broker, queues by kind. Without a broker, tasks run in process."""

from kombu import Queue

from .base import REDIS_URL, TEST_WORKER
from .env import env_bool, env_int, env_str

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
# Queues by kind: the customs gateway must never wait behind an email blast. Outbox
# deliveries go to the queue their handler names (emails: notifications), given at dispatch.
CELERY_TASK_ROUTES = {
    "customs.tasks.*": {"queue": "customs"},
    "declarations.*": {"queue": "customs"},
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
    "declarations-receipts": {
        "task": "declarations.receipts_poll",
        "schedule": float(env_int("DECLARATIONS_RECEIPTS_SECONDS", 5)),
    },
    "sweep-declarations": {
        "task": "declarations.sweep",
        "schedule": 60.0,
    },
    "sweep-outbox": {
        "task": "marketplace.tasks.outbox_sweep",
        "schedule": 60.0,
    },
    # Unpaid checkouts give their reserved stock back (ORDERS_RESERVATION_MINUTES).
    "expire-checkouts": {
        "task": "orders.tasks.checkouts_expire",
        "schedule": 60.0,
    },
    # Flash sales: expired admissions give their units back; gates agree with PostgreSQL
    # again after a crash or a Redis restart (marketing/flash/gate.py).
    "flash-admissions-expire": {
        "task": "marketing.tasks.flash_admissions_expire",
        "schedule": 30.0,
    },
    "flash-gates-reconcile": {
        "task": "marketing.tasks.flash_gates_reconcile",
        "schedule": 60.0,
    },
    # Delivered orders whose merchant's return window ended with no open return complete:
    # their points are earned and their distribution commission confirmed (docs/ORDERS.md).
    "orders-complete-due": {
        "task": "returns.orders_complete_due",
        "schedule": 3600.0,
    },
    # Points earned more than POINTS_EXPIRE_DAYS ago and not spent expire (docs/MARKETING.md).
    "points-expire": {
        "task": "marketing.tasks.points_expire",
        "schedule": 3600.0,
    },
    # raw Stripe records kept for customs are emptied once their three years are over
    "purge-payment-raw-records": {
        "task": "payments.tasks.payments_purge_raw",
        "schedule": 86400.0,
    },
    # Carriers that do not push: each feed is polled at its own interval (CarrierFeed).
    "poll-tracking": {
        "task": "logistics.fulfilment.tasks.tracking_poll_due",
        "schedule": 60.0,
    },
    # Parcels with no news past their route's threshold, late or lost: the exceptions queue.
    "detect-stuck-parcels": {
        "task": "logistics.fulfilment.tasks.stuck_detect_due",
        "schedule": float(env_int("STUCK_DETECT_SECONDS", 900)),
    },
}

# The outbox (marketplace/outbox.py): a failed delivery is tried again after
# BACKOFF * 2**(attempt - 1) seconds, capped; after MAX_ATTEMPTS it is dead (back office).
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_BACKOFF_SECONDS = env_int("OUTBOX_BACKOFF_SECONDS", 15)
OUTBOX_BACKOFF_MAX_SECONDS = env_int("OUTBOX_BACKOFF_MAX_SECONDS", 3600)
# A worker delivering a message holds it this long; after that (a killed worker) the sweeper
# may hand it to another.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)
# The sweeper leaves a message alone this long after it is due (its dispatch is on the way).
OUTBOX_SWEEP_GRACE_SECONDS = env_int("OUTBOX_SWEEP_GRACE_SECONDS", 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{TEST_WORKER}:"} if TEST_WORKER else {}
