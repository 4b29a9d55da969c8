"""Demo tracking feeds (``DEMO_STEPS``): every seeded carrier pushes signed webhooks, and
parcels are booked with the carrier simulator ``make run`` starts
(``manage.py carrier_simulator``, ``CARRIER_SIMULATOR_URL``). The secrets are the demo's own
(``demo-<carrier code>``), the same ``make run`` gives the simulator. Idempotent."""

from __future__ import annotations

from django.conf import settings

from logistics.shipping.models import Carrier
from marketplace.demo import DemoStep

from .models import CarrierFeed
from .services.feeds import carrier_feed_save


def demo_secret(code: str) -> str:
    return f"demo-{code}"


def seed_tracking_demo(demo=None) -> None:
    booking = settings.CARRIER_SIMULATOR_URL.rstrip("/") + "/shipments"
    for carrier in Carrier.objects.filter(is_active=True):
        if CarrierFeed.objects.filter(carrier=carrier).exists():
            continue
        carrier_feed_save(
            feed=CarrierFeed(carrier=carrier, booking_url=booking),
            secret=demo_secret(carrier.code),
            by=None,
        )


DEMO_STEPS = [DemoStep("fulfilment.feeds", seed_tracking_demo, after=("logistics.shipping",))]
