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
    from marketplace.celery import app

    route = app.amqp.router.route({}, "customs.tasks.push_order")
    assert route["queue"].name == "customs"
    assert app.amqp.router.route({}, "marketplace.tasks.ping")["queue"].name == "default"


def test_every_scheduled_task_exists():
    """beat must never schedule a task name no worker knows."""
    from marketplace.celery import app

    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
