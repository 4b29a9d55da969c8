"""``manage.py carrier_simulator``: run the carrier simulator as its own process.

Examples::

    manage.py carrier_simulator --port 8766 --platform-url http://127.0.0.1:8000 \
        --carrier simex=demo-secret --speed 5000          # a two-week journey in ~4 minutes
    manage.py carrier_simulator --port 0 --carrier simex=s --carrier slowpost= --poll slowpost
    manage.py carrier_simulator --duplicate-rate 0.2 --reorder-rate 0.2 --bad-signature-rate 0.1

``--carrier CODE=SECRET`` names a carrier and the secret it signs its webhooks with (the same
as the platform's ``CarrierFeed.webhook_secret``); ``--poll CODE`` makes a carrier push
nothing (the platform polls ``GET /track``). It prints ``listening on http://HOST:PORT`` once
ready (tests read the port from that line), keeps its state in ``--state-dir`` and stops on
SIGTERM or Ctrl-C.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from logistics.fulfilment.simulator.carrier import Carrier, CarrierAccount, Faults
from logistics.fulfilment.simulator.server import Simulator
from logistics.fulfilment.simulator.state import State
from marketplace.simstate import serve_until_stopped


class Command(BaseCommand):
    help = "Run the carrier simulator (bookings, tracking API, signed webhooks)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8766, help="0 picks a free port")
        parser.add_argument("--state-dir", default="var/carrier-simulator")
        parser.add_argument("--platform-url", default="http://127.0.0.1:8000")
        parser.add_argument("--carrier", action="append", default=[], metavar="CODE=SECRET")
        parser.add_argument("--poll", action="append", default=[], metavar="CODE")
        parser.add_argument("--vocabulary", action="append", default=[], metavar="CODE=VOCAB")
        parser.add_argument(
            "--speed", type=float, default=1.0, help="simulated seconds per real second"
        )
        parser.add_argument("--seed", type=int, default=None)
        for name in (
            "duplicate-rate",
            "reorder-rate",
            "bad-signature-rate",
            "attempt-failed-rate",
            "lost-rate",
        ):
            parser.add_argument(f"--{name}", type=float, default=0.0)
        parser.add_argument("--reorder-seconds", type=float, default=2.0)

    def handle(self, *args, **options):
        accounts: dict[str, CarrierAccount] = {}
        for spec in options["carrier"] or ["simex=simex-demo-secret"]:
            code, sep, secret = spec.partition("=")
            if not sep or not code:
                raise CommandError(f"--carrier takes CODE=SECRET, not {spec!r}")
            accounts[code] = CarrierAccount(code=code, secret=secret, push=bool(secret))
        for code in options["poll"]:
            accounts.setdefault(code, CarrierAccount(code=code)).push = False
        for spec in options["vocabulary"]:
            code, _, vocabulary = spec.partition("=")
            accounts.setdefault(code, CarrierAccount(code=code)).vocabulary = vocabulary
        carrier = Carrier(
            State(options["state_dir"]),
            accounts,
            platform_url=options["platform_url"],
            speed=options["speed"],
            seed=options["seed"],
            faults=Faults(
                duplicate_rate=options["duplicate_rate"],
                reorder_rate=options["reorder_rate"],
                reorder_seconds=options["reorder_seconds"],
                bad_signature_rate=options["bad_signature_rate"],
                attempt_failed_rate=options["attempt_failed_rate"],
                lost_rate=options["lost_rate"],
            ),
        )
        simulator = Simulator(carrier, host=options["host"], port=options["port"]).start()
        serve_until_stopped(simulator, host=options["host"], stdout=self.stdout)
