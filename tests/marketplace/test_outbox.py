"""The outbox: written with the change, delivered after the commit, retried with backoff,
swept when a dispatch was lost, dead after its attempts and retried by an operator."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from marketplace import outbox
from marketplace.models import OutboxMessage
from marketplace.outbox import (
    OutboxError,
    outbox_deliver,
    outbox_enqueue,
    outbox_handler,
    outbox_sweep,
)

pytestmark = pytest.mark.django_db

delivered: list[dict] = []
failures: dict[str, int] = {}


@outbox_handler("tests.outbox.record")
def record(payload: dict) -> None:
    delivered.append(payload)


@outbox_handler("tests.outbox.flaky", max_attempts=3)
def flaky(payload: dict) -> None:
    """Fails the first ``payload["fail"]`` times it is delivered."""
    seen = failures.get(payload["name"], 0)
    failures[payload["name"]] = seen + 1
    if seen < payload["fail"]:
        raise ConnectionError(f"gateway down ({seen + 1})")
    delivered.append(payload)


@pytest.fixture(autouse=True)
def _reset():
    delivered.clear()
    failures.clear()


def test_a_message_is_delivered_once_the_change_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = outbox_enqueue(kind="tests.outbox.record", payload={"n": 1})
        assert delivered == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert delivered == [{"n": 1}]
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 1 and message.delivered_at


def test_a_rolled_back_change_leaves_no_message(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox_enqueue(kind="tests.outbox.record", payload={"n": 1})
        raise RuntimeError("the business change failed")
    assert callbacks == [] and delivered == []
    assert not OutboxMessage.objects.exists()


def test_the_same_key_enqueues_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox_enqueue(kind="tests.outbox.record", payload={"n": 1}, key="order:1")
        again = outbox_enqueue(kind="tests.outbox.record", payload={"n": 2}, key="order:1")
    assert first.pk == again.pk
    assert OutboxMessage.objects.count() == 1 and delivered == [{"n": 1}]


def test_a_kind_without_a_handler_is_refused_when_enqueued():
    with pytest.raises(OutboxError):
        outbox_enqueue(kind="tests.outbox.nobody", payload={})
    assert not OutboxMessage.objects.exists()


def test_a_failing_delivery_is_retried_with_backoff_then_dies(settings):
    message = OutboxMessage.objects.create(
        kind="tests.outbox.flaky", key="k", payload={"name": "a", "fail": 5}
    )
    before = timezone.now()
    assert outbox_deliver(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == "pending" and message.attempts == 1
    assert message.last_error == "ConnectionError: gateway down (1)"
    wait = message.next_attempt_at - before
    assert timedelta(seconds=settings.OUTBOX_BACKOFF_SECONDS) <= wait
    assert wait < timedelta(seconds=settings.OUTBOX_BACKOFF_SECONDS + 5)
    # not due yet: a duplicate task (or the eager retry) does nothing
    assert outbox_deliver(message_id=message.pk) == "skipped"
    # the second failure waits twice as long
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    before = timezone.now()
    assert outbox_deliver(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert message.next_attempt_at - before >= timedelta(
        seconds=2 * settings.OUTBOX_BACKOFF_SECONDS
    )
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver(message_id=message.pk) == "dead"  # the handler's third attempt
    message.refresh_from_db()
    assert message.status == "dead" and message.attempts == 3
    assert "gateway down (3)" in message.last_error and delivered == []


def test_backoff_doubles_and_is_capped(settings):
    settings.OUTBOX_BACKOFF_SECONDS = 10
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 60
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]


def test_a_message_held_by_another_worker_is_left_alone():
    message = OutboxMessage.objects.create(
        kind="tests.outbox.record",
        key="k",
        payload={},
        claimed_until=timezone.now() + timedelta(minutes=5),
    )
    assert outbox_deliver(message_id=message.pk) == "skipped"
    assert outbox_sweep() == 0
    # the lease ran out (that worker died): the next delivery goes through
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_deliver(message_id=message.pk) == "sent"


def test_the_sweeper_sends_what_a_lost_dispatch_left_and_nothing_else(settings):
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 60
    old = timezone.now() - timedelta(minutes=5)

    def row(key, **fields):
        return OutboxMessage.objects.create(
            kind="tests.outbox.record", key=key, payload={"key": key}, **fields
        )

    row("lost", next_attempt_at=old)  # committed, but its task never reached a broker
    row("fresh")  # its dispatch is on the way: within the grace period
    row("later", next_attempt_at=timezone.now() + timedelta(minutes=1))  # waiting to retry
    row("done", next_attempt_at=old, status="sent")
    row("dead", next_attempt_at=old, status="dead")
    assert outbox_sweep() == 1  # tasks run in process here (eager)
    assert delivered == [{"key": "lost"}]
    assert OutboxMessage.objects.get(key="lost").status == "sent"
    assert OutboxMessage.objects.get(key="fresh").status == "pending"


def test_a_broker_that_is_down_does_not_undo_the_change(monkeypatch):
    """Mocked: the broker refusing the task (no local stand-in makes Redis refuse one
    publish and accept the next). The change commits, the row waits for the sweeper."""
    from kombu.exceptions import OperationalError

    from marketplace.tasks import outbox_deliver as task

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis: Connection refused")

    monkeypatch.setattr(task, "apply_async", refuse)
    assert outbox._dispatch(1, "tests.outbox.record") is False
    message = OutboxMessage.objects.create(
        kind="tests.outbox.record",
        key="k",
        payload={"n": 1},
        next_attempt_at=timezone.now() - timedelta(minutes=5),
    )
    assert outbox.outbox_sweep() == 0  # still down: nothing sent, nothing lost
    assert OutboxMessage.objects.get(pk=message.pk).status == "pending" and delivered == []
    monkeypatch.undo()
    assert outbox.outbox_sweep() == 1 and delivered == [{"n": 1}]


def test_operators_see_dead_messages_and_retry_them(
    client_for, operator, django_capture_on_commit_callbacks
):
    dead = OutboxMessage.objects.create(
        kind="tests.outbox.flaky",
        key="declaration:ORD-1",
        payload={"name": "b", "fail": 0},
        status="dead",
        attempts=3,
        last_error="ConnectionError: gateway down (3)",
    )
    client = client_for(operator)
    listing = client.get("/en/ops/marketplace/outboxmessage/?status__exact=dead")
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "declaration:ORD-1" in html and "gateway down (3)" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/ops/marketplace/outboxmessage/",
            {"action": "retry", "_selected_action": [dead.pk]},
            follow=True,
        )
    assert "1 message will be delivered again." in response.content.decode()
    dead.refresh_from_db()
    assert dead.status == "sent" and dead.attempts == 1
    assert delivered == [{"name": "b", "fail": 0}]


def test_merchant_staff_cannot_open_the_outbox(client_for, tenants):
    response = tenants.a.client.get("/en/ops/marketplace/outboxmessage/")
    assert response.status_code in (302, 403)
