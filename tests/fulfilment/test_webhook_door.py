"""The carriers' webhook at the front door (logistics/fulfilment/door.py): a signed push is
taken ahead of Django's request cycle with exactly what the view answers, between Django's
request signals; a bad signature is still a 401 with nothing stored."""

from __future__ import annotations

import json

import pytest
from django.core import signals

from logistics.fulfilment import door as webhook_door
from logistics.fulfilment.door import WEBHOOK
from logistics.fulfilment.models import TrackingEvent
from logistics.fulfilment.services import shipment_create
from marketplace.frontdoor import FrontDoor
from tests.wsgi import Django, call, environ

from .helpers import SECRET, event, paid_order, signature_of, simex

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel(db):
    order = paid_order(carrier_obj=simex("simex"), quantities=(1,))
    return shipment_create(order=order, by=None).parcels.get()


def environ_for(carrier: str, events: list[dict], *, signature: str | None = None) -> dict:
    body = json.dumps({"events": events}).encode()
    return environ(
        "POST",
        f"/tracking/webhooks/{carrier}/",
        body=body,
        content_type="application/json",
        HTTP_X_SILKWAY_SIGNATURE=signature if signature is not None else signature_of(SECRET, body),
        HTTP_X_REQUEST_ID="push-11",
    )


@pytest.fixture
def request_signals():
    """The request signals sent while the test runs, in order."""
    sent = []

    def started(sender, **kwargs):
        sent.append("started")

    def finished(sender, **kwargs):
        sent.append("finished")

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    yield sent
    signals.request_started.disconnect(started)
    signals.request_finished.disconnect(finished)


def test_a_signed_push_is_taken_at_the_door_as_the_view_takes_it(parcel, request_signals):
    django = Django()
    door = FrontDoor(django, [WEBHOOK])
    first = event(parcel.waybill_number, "in_transit", 1)

    status, headers, body = call(door, environ_for("simex", [first]))
    again = call(door, environ_for("simex", [first]))  # the carrier resends it

    assert django.calls == 0  # the door took both
    assert status == 200 and again[0] == 200
    assert json.loads(body)["accepted"] == 1
    assert json.loads(again[2])["accepted"] == 0 and json.loads(again[2])["duplicates"] == 1
    assert TrackingEvent.objects.filter(parcel=parcel).count() == 1
    parcel.refresh_from_db()
    assert parcel.status == "in_transit"
    # between Django's request signals, as a view (the connections health-checked, kept)
    assert request_signals == ["started", "finished", "started", "finished"]
    answer = dict(headers)
    assert answer["Content-Type"] == "application/json"
    assert answer["X-Request-ID"] == "push-11"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in answer["Content-Security-Policy"]


def test_the_doors_answer_is_the_views(parcel, client):
    """Same status and body through the door as through Django's whole request cycle."""
    door = FrontDoor(Django(), [WEBHOOK])
    wire = [event(parcel.waybill_number, "in_transit", 1), event("NO-SUCH-BILL", "in_transit", 2)]
    lean = call(door, environ_for("simex", wire))
    TrackingEvent.objects.all().delete()
    full = call(Django(), environ_for("simex", wire))
    assert lean[0] == full[0] == 200
    assert (
        json.loads(lean[2])
        == json.loads(full[2])
        == {
            "accepted": 1,
            "duplicates": 0,
            "unknown_waybills": 1,
            "unmapped": 0,
            "invalid": 0,
        }
    )


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64])
def test_a_bad_signature_is_a_401_at_the_door_and_nothing_is_stored(parcel, signature):
    django = Django()
    door = FrontDoor(django, [WEBHOOK])
    status, _, body = call(
        door,
        environ_for("simex", [event(parcel.waybill_number, "delivered", 1)], signature=signature),
    )
    assert django.calls == 0
    assert status == 401 and json.loads(body)["error"]["code"] == "bad_signature"
    assert not TrackingEvent.objects.exists()


def test_an_unknown_carrier_is_a_404_at_the_door(db):
    status, _, body = call(FrontDoor(Django(), [WEBHOOK]), environ_for("nobody", []))
    assert status == 404 and json.loads(body)["error"]["code"] == "not_found"


def test_an_error_in_a_push_is_a_500_not_run_again_by_django(parcel, monkeypatch):
    """An error while storing is answered as Django answers a view's error, and the push is
    not given to Django to run a second time (the carrier resends it). The failure is
    injected (no local stand-in makes PostgreSQL fail on one statement)."""
    django = Django()
    door = FrontDoor(django, [WEBHOOK])
    runs = []

    def failing(**kwargs):
        runs.append(kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr("logistics.fulfilment.views.tracking_events_record", failing)
    status, _, _ = call(door, environ_for("simex", [event(parcel.waybill_number, "in_transit", 1)]))
    assert status == 500
    assert len(runs) == 1 and django.calls == 0


def test_the_routes_pattern_is_the_views_url():
    pattern = webhook_door.webhook_pattern()
    assert pattern.fullmatch("/tracking/webhooks/simex/").group("carrier") == "simex"
    assert pattern.fullmatch("/tracking/webhooks/sim-ex_2/").group("carrier") == "sim-ex_2"
    assert not pattern.fullmatch("/tracking/webhooks/simex/extra/")
    assert not pattern.fullmatch("/en/tracking/webhooks/simex/")


def test_production_takes_pushes_at_the_door():
    from marketplace.wsgi import application

    assert isinstance(application, FrontDoor)
    assert WEBHOOK in [route for _m, _p, route in application.routes]
