"""A real worker round trip on the Redis broker."""

import uuid

import pytest

from marketplace.tasks import ping

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


def test_a_real_worker_runs_the_task_and_returns_its_result(celery_worker):
    token = uuid.uuid4().hex
    result = ping.delay(token)
    assert result.get(timeout=20)["token"] == token
    assert result.successful()
    assert celery_worker.poll() is None  # the worker process is still alive


def test_tasks_are_routed_to_queues_by_kind():
    """Customs work never waits behind an email blast: each goes to its own queue, and
    every queue a task is routed to is one the workers listen on."""
    from fnmatch import fnmatch

    from django.conf import settings

    from marketplace.celery import app
    from marketplace.outbox import handler_for
    from merchants.outbox import APPLICATION_EMAIL, INVITATION_EMAIL

    app.loader.import_default_modules()
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    listened = {queue.name for queue in settings.CELERY_TASK_QUEUES}

    def queue_of(name):
        return app.amqp.router.route({}, name)["queue"].name

    assert queue_of("customs.tasks.compute_duty_assessment") == "customs"
    assert queue_of("catalog.tasks.import_job_execute") == "default"
    assert queue_of("marketplace.tasks.ping") == "default"
    # emails leave through the outbox, whose deliveries go to the handler's queue
    assert handler_for(INVITATION_EMAIL).queue == handler_for(APPLICATION_EMAIL).queue
    assert handler_for(INVITATION_EMAIL).queue == "notifications"
    assert {queue_of(name) for name in ours} <= listened
    # and no route names tasks that do not exist
    for pattern in settings.CELERY_TASK_ROUTES:
        assert any(fnmatch(name, pattern) for name in ours), pattern


def test_every_scheduled_task_exists():
    """beat must never schedule a task name no worker knows."""
    from marketplace.celery import app

    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
