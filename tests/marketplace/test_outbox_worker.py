"""The outbox with a real Celery worker on the Redis broker: a message written with a
business change is delivered by the worker; one whose dispatch was lost is delivered once
the sweeper runs."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.models import OutboxMessage
from marketplace.outbox import outbox_sweep
from merchants import services
from merchants.models import Invitation
from merchants.outbox import INVITATION_EMAIL
from merchants.roles import Role

# Committed rows: the worker reads them.
pytestmark = [
    pytest.mark.worker,
    pytest.mark.xdist_group("worker"),
    pytest.mark.django_db(transaction=True),
]


def _wait_until_sent(message_id: int, timeout: float = 60) -> OutboxMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = OutboxMessage.objects.get(pk=message_id)
        if message.status != "pending":
            return message
        time.sleep(0.2)
    return OutboxMessage.objects.get(pk=message_id)


def test_the_worker_delivers_the_invitation_email_after_the_commit(celery_worker, tenants):
    invitation = services.invitation_create(
        by=tenants.a.owner,
        merchant=tenants.a.merchant,
        email="newbie@alpha.example",
        role=Role.STAFF,
        language="en",
    )
    message = OutboxMessage.objects.get(kind=INVITATION_EMAIL, key=f"invitation:{invitation.pk}")
    message = _wait_until_sent(message.pk)
    assert message.status == "sent", message.last_error
    assert message.attempts == 1 and message.delivered_at is not None
    assert Invitation.objects.get(pk=invitation.pk).email_sent_at is not None
    assert celery_worker.poll() is None


def test_a_message_whose_dispatch_was_lost_is_delivered_by_the_sweeper(celery_worker, tenants):
    invitation = Invitation.objects.create(
        merchant=tenants.a.merchant,
        email="late@alpha.example",
        role=Role.STAFF,
        invited_by=tenants.a.owner,
        expires_at=timezone.now() + timedelta(days=7),
    )
    # The row committed but its task never reached a broker (the web process died between
    # the commit and the dispatch, or the broker was down): written here without dispatch.
    lost = OutboxMessage.objects.create(
        kind=INVITATION_EMAIL,
        key=f"invitation:{invitation.pk}",
        payload={"invitation_id": invitation.pk, "language": "en"},
        next_attempt_at=timezone.now() - timedelta(minutes=5),
    )
    time.sleep(1)
    assert OutboxMessage.objects.get(pk=lost.pk).status == "pending"  # nobody knows of it
    assert outbox_sweep() == 1  # what beat runs every minute
    message = _wait_until_sent(lost.pk)
    assert message.status == "sent", message.last_error
    assert Invitation.objects.get(pk=invitation.pk).email_sent_at is not None
