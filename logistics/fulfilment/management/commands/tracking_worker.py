"""Run the tracking's periodic work in the foreground: poll the carriers that do not push
(``tracking_poll_due``, which asks each polled feed once its interval has passed) and fill
the exceptions queue with stuck parcels (``stuck_detect_due``) every ``--stuck-every``
seconds (``STUCK_DETECT_SECONDS``). Production runs the same tasks from Celery beat; this
command is for the embedded default (``make run``: no broker, no beat), beside the carrier
simulator, as ``declarations_worker`` is beside the customs gateway simulator."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from logistics.fulfilment.tasks import stuck_detect_due, tracking_poll_due

STUCK_SCHEDULE = "detect-stuck-parcels"


class Command(BaseCommand):
    help = "Poll carriers' tracking and detect stuck parcels, in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=30.0, help="seconds between polls")
        parser.add_argument(
            "--stuck-every",
            type=float,
            default=None,
            help="seconds between stuck-parcel runs (default: STUCK_DETECT_SECONDS)",
        )
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args, every: float, stuck_every: float | None, once: bool, **options):
        # the beat schedule's interval (STUCK_DETECT_SECONDS), so both run it alike
        stuck_every = stuck_every or settings.CELERY_BEAT_SCHEDULE[STUCK_SCHEDULE]["schedule"]
        self.stdout.write(
            f"tracking worker: polls every {every}s, stuck parcels every {stuck_every}s"
        )
        self.stdout.flush()
        next_stuck = 0.0
        while True:
            polled = tracking_poll_due()
            opened = 0
            if time.monotonic() >= next_stuck:
                opened = stuck_detect_due()
                next_stuck = time.monotonic() + stuck_every
            if polled or opened:
                self.stdout.write(f"feeds polled {polled}, exceptions opened {opened}")
                self.stdout.flush()
            if once:
                return
            time.sleep(every)
