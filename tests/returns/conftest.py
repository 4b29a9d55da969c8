from tests.orders.conftest import _celery_join_flag, deliver, pay, world  # noqa: F401
