"""Carriers that do not push are polled through an adapter, by a beat task."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.utils import timezone

from logistics.fulfilment.models import CarrierFeed, TrackingEvent
from logistics.fulfilment.services import shipment_create
from logistics.fulfilment.tasks import tracking_poll_due
from orders.models import Order

from .helpers import event, paid_order, simex

pytestmark = pytest.mark.django_db


@pytest.fixture
def carrier_api():
    """A carrier's tracking API on a real socket: answers the waybills asked for."""
    served: dict[str, list[dict]] = {}
    asked: list[list[str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            waybills = parse_qs(urlparse(self.path).query).get("waybills", [""])[0].split(",")
            asked.append(waybills)
            body = json.dumps({"events": [e for w in waybills for e in served.get(w, [])]})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/track", served, asked
    server.shutdown()
    server.server_close()


def test_the_beat_task_polls_due_feeds_and_records_what_they_answer(carrier_api):
    url, served, asked = carrier_api
    c = simex("poller", delivery="poll", adapter="http_json", poll_url=url, poll_every_minutes=30)
    order = paid_order(carrier_obj=c)
    parcel = shipment_create(order=order, by=None).parcels.get()
    served[parcel.waybill_number] = [event(parcel.waybill_number, "in_transit", 1)]
    assert tracking_poll_due() == 1
    assert asked == [[parcel.waybill_number]]
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    assert TrackingEvent.objects.get().source == "poll"
    # Not due again before its interval; due after it; delivered parcels are not asked for.
    assert tracking_poll_due() == 0
    served[parcel.waybill_number].append(event(parcel.waybill_number, "delivered", 30))
    CarrierFeed.objects.update(last_polled_at=timezone.now() - timedelta(minutes=31))
    assert tracking_poll_due() == 1
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED
    CarrierFeed.objects.update(last_polled_at=None)
    tracking_poll_due()
    assert len(asked) == 2


def test_a_carrier_that_is_down_does_not_stop_the_others(carrier_api):
    url, served, asked = carrier_api
    down = simex("down", delivery="poll", poll_url="http://127.0.0.1:9/track")
    up = simex("up", delivery="poll", poll_url=url)
    shipment_create(order=paid_order(carrier_obj=down), by=None)
    shipment_create(order=paid_order(carrier_obj=up), by=None)
    assert tracking_poll_due() == 1
    assert len(asked) == 1


def test_beat_runs_the_poller():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "logistics.fulfilment.tasks.tracking_poll_due" in tasks
