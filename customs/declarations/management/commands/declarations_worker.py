"""Run the declarations' periodic work in the foreground: fetch and apply receipts, sweep
the outbox and stuck documents. Production runs the same work from Celery beat
(``declarations.receipts_poll``, ``declarations.sweep``, ``marketplace.tasks.outbox_sweep``);
this command is for the embedded default (``make run``: no broker, no beat), where it is the
receipt worker next to the gateway simulator."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from customs.declarations import services
from customs.declarations.tasks import receipts_poll
from marketplace.outbox import outbox_sweep


class Command(BaseCommand):
    help = "Fetch and apply customs receipts and sweep unsent declarations, every --every seconds."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=2.0)
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args, every: float, once: bool, **options):
        self.stdout.write(f"declarations worker: every {every}s", ending="\n")
        self.stdout.flush()
        while True:
            receipts = receipts_poll()
            swept = outbox_sweep() + services.declarations_sweep()
            if receipts or swept:
                self.stdout.write(f"receipts {receipts}, re-sent {swept}")
                self.stdout.flush()
            if once:
                return
            time.sleep(every)
