"""The kernel's row locks (docs/ARCHITECTURE.md, "Lock order").

An outbox message is locked alone, in a short transaction of its own (claiming it, or an
operator's retry), never while another row is held: it needs no slot in the order.
"""

from __future__ import annotations

from django.db.models import Q

from marketplace.locking import for_update
from marketplace.models import OutboxMessage


def lock_outbox_message(message_id: int) -> OutboxMessage:
    """Lock one outbox message (an operator's retry)."""
    return for_update(OutboxMessage.objects).get(pk=message_id)


def lock_outbox_message_to_claim(message_id: int, *, now) -> OutboxMessage | None:
    """Lock the message if it is pending, due at ``now`` and held by nobody; None otherwise.

    ``SKIP LOCKED``: a message another worker is claiming right now is not waited for, it is
    simply not this worker's to deliver."""
    return (
        OutboxMessage.objects.select_for_update(of=("self",), no_key=True, skip_locked=True)
        .filter(pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .first()
    )
