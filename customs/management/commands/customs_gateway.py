"""``manage.py customs_gateway``: run the customs gateway simulator as its own process.

Examples::

    manage.py customs_gateway --port 8765                      # HTTP only (the demo default)
    manage.py customs_gateway --port 0 --amqp amqp://guest:guest@127.0.0.1:5672//
    manage.py customs_gateway --state-dir var/simulator --step 2 --http-500-rate 0.05

It prints ``listening on http://HOST:PORT`` once ready (tests read the port from that line),
keeps its state in ``--state-dir`` and stops on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from customs.simulator.office import CustomsOffice, Timing
from customs.simulator.server import Simulator
from customs.simulator.state import State
from marketplace.simstate import serve_until_stopped


class Command(BaseCommand):
    help = "Run the customs gateway simulator (HTTP, and AMQP with --amqp)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
        parser.add_argument("--state-dir", default="var/customs-simulator")
        parser.add_argument("--amqp", default="", help="broker URL; empty: HTTP only")
        parser.add_argument("--prefix", default="ceb", help="AMQP queue name prefix")
        parser.add_argument("--step", type=float, default=2.0, help="seconds between statuses")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--require-registered-certificates",
            action="store_true",
            help="refuse signatures whose certificate was not registered (POST /_certificates)",
        )
        for name in (
            "http-500-rate",
            "drop-rate",
            "timeout-rate",
            "duplicate-rate",
            "inspection-rate",
        ):
            parser.add_argument(f"--{name}", type=float, default=0.0)
        parser.add_argument("--latency-ms", type=int, default=0)
        parser.add_argument("--reorder-ms", type=int, default=0)

    def handle(self, *args, **options):
        office = CustomsOffice(
            State(options["state_dir"]),
            timing=Timing(step=options["step"]),
            seed=options["seed"],
            require_registered=options["require_registered_certificates"],
        )
        office.faults = office.faults.update(
            {
                "http_500_rate": options["http_500_rate"],
                "drop_rate": options["drop_rate"],
                "timeout_rate": options["timeout_rate"],
                "duplicate_rate": options["duplicate_rate"],
                "inspection_rate": options["inspection_rate"],
                "latency_ms": options["latency_ms"],
                "reorder_ms": options["reorder_ms"],
            }
        )
        simulator = Simulator(
            office,
            host=options["host"],
            port=options["port"],
            amqp_url=options["amqp"] or None,
            prefix=options["prefix"],
        ).start()
        serve_until_stopped(simulator, host=options["host"], stdout=self.stdout)
