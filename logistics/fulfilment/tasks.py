"""Fulfilment tasks: thin wrappers over the services."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import CarrierFeed
from .services import tracking_poll_feed
from .services.stuck import stuck_detect

log = logging.getLogger("fulfilment.tasks")


@shared_task(name="logistics.fulfilment.tasks.tracking_poll_due")
def tracking_poll_due() -> int:
    """Poll every active polled feed whose interval has passed (beat, every minute);
    one carrier's outage is logged and the others still polled. Returns feeds polled."""
    now = timezone.now()
    polled = 0
    for feed in CarrierFeed.objects.filter(
        is_active=True, delivery=CarrierFeed.Delivery.POLL
    ).select_related("carrier"):
        due = (
            feed.last_polled_at is None
            or feed.last_polled_at + timedelta(minutes=feed.poll_every_minutes) <= now
        )
        if not due:
            continue
        try:
            tracking_poll_feed(feed=feed, now=now)
        except Exception:  # noqa: BLE001 - one carrier down must not stop the others
            log.exception("polling failed", extra={"carrier": feed.carrier.code})
            continue
        polled += 1
    return polled


@shared_task(name="logistics.fulfilment.tasks.stuck_detect_due")
def stuck_detect_due() -> int:
    """Fill the exceptions queue with stuck, late and lost parcels (beat, every 15 minutes;
    idempotent). Returns how many exceptions were opened."""
    return stuck_detect()
