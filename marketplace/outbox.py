"""The outbox: the one way to make something happen outside this transaction.

A business change that must cause an outbound effect (an email, a customs message, a
webhook) does not call a task. It writes an ``OutboxMessage`` in its own transaction:

    outbox_enqueue(kind="merchants.invitation_email", payload={"invitation_id": 7},
                   key=f"invitation:{invitation.pk}")

If the transaction rolls back, the message is gone with it; if it commits, the message is
there whatever happens next. Then:

1. **Dispatch on commit.** ``transaction.on_commit`` sends ``marketplace.tasks.outbox_deliver``
   to the queue the kind's handler names. A broker that is down is logged and shrugged off:
   the row is still pending.
2. **Deliver.** The task *claims* the row (a lease of ``OUTBOX_LEASE_SECONDS``: another
   worker, or a duplicate task, skips it), calls the handler outside any lock, and marks the
   row delivered. Handlers are idempotent: a delivery may be repeated (a worker killed after
   the effect, before the mark) and must then do nothing new.
3. **Retry with backoff.** A handler that raises is tried again after
   ``OUTBOX_BACKOFF_SECONDS * 2**(attempts - 1)`` seconds (capped at
   ``OUTBOX_BACKOFF_MAX_SECONDS``); ``next_attempt_at`` and ``last_error`` say when and why.
4. **Sweep.** Beat runs ``marketplace.tasks.outbox_sweep`` every minute: pending rows whose
   next attempt is due (by ``OUTBOX_SWEEP_GRACE_SECONDS``) and that nobody holds are
   dispatched again, so a lost dispatch (broker down, a process killed between commit and
   dispatch, a retry that could not be enqueued) is delivered late, never lost.
5. **Dead.** After the handler's ``max_attempts`` failures the row is *dead*: the back office
   lists it (Platform → Outbox messages) with its last error, and an operator retries it.

Handlers live in the app that owns the effect, in a module named ``outbox.py`` (found at
start-up, like ``admin.py``, so the kernel imports no app):

    @outbox_handler("merchants.invitation_email", queue="notifications")
    def send_invitation_email(payload: dict) -> None: ...

**Keys.** ``key`` makes enqueueing idempotent: a second ``outbox_enqueue`` with the same
kind and key returns the first message and adds nothing. Name the thing the message is
about (``invitation:7``, ``declaration:ORD-1:order``), so a retried service never sends two.
Without a key, every call is a new message.

**Ordering and batches.** Messages are independent; nothing orders two rows. A kind that
needs order or batching (customs: several documents per order) gives each document its own
key and lets its handler check what went before (or enqueue the next document when one is
delivered), rather than relying on the outbox to order them.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import KombuError

from .lock_objects import lock_outbox_message, lock_outbox_message_to_claim
from .models import OutboxMessage

log = logging.getLogger(__name__)

Status = OutboxMessage.Status


class OutboxError(LookupError):
    """An unknown kind (no handler registered for it)."""


@dataclass(frozen=True)
class Handler:
    kind: str
    deliver: Callable[[dict], object]
    queue: str
    max_attempts: int
    backoff_seconds: float | None = None  # the first wait; None: OUTBOX_BACKOFF_SECONDS
    jitter: float = 0.0  # waits are drawn from [(1 - jitter) x, x]: retries spread out


_handlers: dict[str, Handler] = {}


def outbox_handler(
    kind: str,
    *,
    queue: str = "default",
    max_attempts: int | None = None,
    backoff_seconds: float | None = None,
    jitter: float = 0.0,
):
    """Register ``func(payload)`` as the handler of ``kind`` (decorator). ``backoff_seconds``
    is the kind's first wait after a failure (doubling from there, capped by
    ``OUTBOX_BACKOFF_MAX_SECONDS``); ``jitter`` (0..1) draws each wait at random from
    ``[(1 - jitter) × wait, wait]``, so messages that failed together (a gateway outage) do
    not all come back at the same second."""
    if not 0 <= jitter <= 1:
        raise ValueError("jitter is a fraction between 0 and 1")

    def register(func):
        existing = _handlers.get(kind)
        if existing is not None and existing.deliver is not func:
            raise ValueError(f"outbox kind {kind!r} already has a handler")
        _handlers[kind] = Handler(
            kind,
            func,
            queue,
            max_attempts or settings.OUTBOX_MAX_ATTEMPTS,
            backoff_seconds,
            jitter,
        )
        return func

    return register


def handler_for(kind: str) -> Handler:
    try:
        return _handlers[kind]
    except KeyError:
        raise OutboxError(f"no outbox handler for {kind!r}") from None


def backoff(attempts: int, handler: Handler | None = None) -> timedelta:
    """How long to wait after the ``attempts``-th failure (exponential, capped, with the
    handler's jitter)."""
    base = settings.OUTBOX_BACKOFF_SECONDS
    if handler is not None and handler.backoff_seconds is not None:
        base = handler.backoff_seconds
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_BACKOFF_MAX_SECONDS)
    if handler is not None and handler.jitter:
        seconds *= 1 - handler.jitter * random.random()  # noqa: S311 - spreading, not secrecy
    return timedelta(seconds=seconds)


def _dispatch(message_id: int, kind: str, *, countdown: float | None = None) -> bool:
    """Send the delivery task; False (logged) when the broker cannot take it. The row stays
    pending, so the sweeper sends it again later."""
    from .tasks import outbox_deliver  # tasks import this module: the one cycle, kept lazy

    try:
        outbox_deliver.apply_async(
            (message_id,), queue=handler_for(kind).queue, countdown=countdown, retry=False
        )
    except (KombuError, OSError):
        log.warning("outbox message %s: dispatch failed, the sweeper will send it", message_id)
        return False
    return True


def outbox_enqueue(*, kind: str, payload: dict, key: str = "") -> OutboxMessage:
    """Write a message in the caller's transaction; it is dispatched once that commits.

    ``kind`` must have a handler; ``payload`` is JSON (ids and small values, not objects);
    ``key`` (optional) makes the call idempotent per kind (see the module docstring).
    Returns the message (the existing one when ``key`` was used before).
    """
    handler_for(kind)  # refuse a kind nobody would deliver, now rather than in the worker
    with transaction.atomic():
        if key:
            message, created = OutboxMessage.objects.get_or_create(
                kind=kind, key=key, defaults={"payload": payload}
            )
            if not created:
                return message
        else:
            message = OutboxMessage.objects.create(kind=kind, payload=payload)
            # a key nobody will reuse keeps the (kind, key) constraint meaningful
            message.key = f"#{message.pk}"
            message.save(update_fields=["key"])
    transaction.on_commit(lambda: _dispatch(message.pk, kind))
    return message


def _claim(message_id: int) -> OutboxMessage | None:
    """Take the lease on a pending, due, unheld message (None if someone else has it, it
    is not due yet, or it is no longer pending)."""
    now = timezone.now()
    with transaction.atomic():
        message = lock_outbox_message_to_claim(message_id, now=now)
        if message is None:
            return None
        message.attempts += 1
        message.claimed_until = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
        message.save(update_fields=["attempts", "claimed_until", "updated_at"])
    return message


def outbox_deliver(*, message_id: int) -> str:
    """Deliver one message (what the task runs); returns what happened: ``sent``, ``retry``,
    ``dead`` or ``skipped`` (not claimable: delivered, dead, held, not due or gone)."""
    message = _claim(message_id)
    if message is None:
        return "skipped"
    try:
        handler = handler_for(message.kind)
        handler.deliver(dict(message.payload))
    except Exception as exc:  # noqa: BLE001 - any failure of a handler is recorded, not lost
        return _failed(message, exc)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENT,
        delivered_at=timezone.now(),
        claimed_until=None,
        last_error="",
        updated_at=timezone.now(),
    )
    return "sent"


def _failed(message: OutboxMessage, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    try:
        handler = handler_for(message.kind)
        limit = handler.max_attempts
    except OutboxError:
        handler = None
        limit = 1  # nobody can deliver it: dead at once, for an operator to see
    now = timezone.now()
    if message.attempts >= limit:
        log.error("outbox message %s (%s) is dead: %s", message.pk, message.kind, error)
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=Status.DEAD, claimed_until=None, last_error=error, updated_at=now
        )
        return "dead"
    wait = backoff(message.attempts, handler)
    log.warning(
        "outbox message %s (%s) failed (attempt %s), again in %ss: %s",
        message.pk,
        message.kind,
        message.attempts,
        int(wait.total_seconds()),
        error,
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=now + wait, claimed_until=None, last_error=error, updated_at=now
    )
    _dispatch(message.pk, message.kind, countdown=wait.total_seconds())
    return "retry"


def outbox_sweep(*, limit: int = 500) -> int:
    """Dispatch again the pending messages that are due and unheld (a lost dispatch, a retry
    that could not be enqueued). Returns how many were dispatched. Duplicates are harmless:
    the claim lets one delivery through."""
    now = timezone.now()
    due_before = now - timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    stuck = list(
        OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=due_before)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", "kind")[:limit]
    )
    return sum(_dispatch(pk, kind) for pk, kind in stuck)


@transaction.atomic
def outbox_retry(*, message: OutboxMessage) -> OutboxMessage:
    """An operator's retry of a dead (or waiting) message: pending again, a fresh set of
    attempts, dispatched once this commits. A delivered message is left as it is."""
    locked = lock_outbox_message(message.pk)
    if locked.status == Status.SENT:
        return locked
    locked.status = Status.PENDING
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.claimed_until = None
    locked.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_until"])
    transaction.on_commit(lambda: _dispatch(locked.pk, locked.kind))
    return locked
