"""Announcement 179 end to end: the real simulator asks our platDataOpen, we answer at once,
a real worker uploads the signed payment data, and a reused sessionID is refused."""

from __future__ import annotations

import pytest
import requests
from django.db import transaction

from customs.declarations import realtime, services
from customs.declarations.models import RealtimeSession
from customs.signing import keys
from tests.customs.docking.conftest import wait_for

from .helpers import paid_order, profile

pytestmark = pytest.mark.django_db(transaction=True)


def test_customs_asks_we_answer_at_once_and_a_worker_uploads_signed_data(
    simulator, live_server, celery_worker
):
    p = profile(gateway_url=simulator.url)
    cert = keys.load_certificate(p.signing_key.certificate.encode())
    simulator.register_certificate(p.signing_key.cert_no, cert)
    order, facts = paid_order()
    with transaction.atomic():
        services.declarations_open(order, payment=facts)
    endpoint = live_server.url + "/customs/platDataOpen"

    asked = requests.post(
        f"{simulator.url}/_realtime/ask",
        json={"order_no": order.number, "platform_url": endpoint},
        timeout=10,
    ).json()

    assert asked["answer"]["code"] == "10000"
    assert asked["seconds"] < 1.0
    session = wait_for(
        lambda: RealtimeSession.objects.filter(
            session_id=asked["session_id"], status=RealtimeSession.Status.UPLOADED
        ).first(),
        timeout=30,
    )
    assert '"code": "10000"' in session.answer  # the simulator checked fields and signature
    sessions = requests.get(f"{simulator.url}/_realtime/sessions", timeout=5).json()
    assert [s["result"] for s in sessions["sessions"]] == ["ok"]


def test_a_reused_session_is_refused_by_the_gateway(simulator):
    p = profile(gateway_url=simulator.url)
    cert = keys.load_certificate(p.signing_key.certificate.encode())
    simulator.register_certificate(p.signing_key.cert_no, cert)
    order, facts = paid_order()
    with transaction.atomic():
        file = services.declarations_open(order, payment=facts)
    asked = requests.post(
        f"{simulator.url}/_realtime/ask",
        json={"order_no": order.number, "platform_url": "http://127.0.0.1:1/nobody"},
        timeout=10,
    ).json()
    session = RealtimeSession.objects.create(
        session_id=asked["session_id"], order_no=order.number, service_time="1544519952469"
    )
    assert realtime.realtime_upload(session_id=session.pk) == RealtimeSession.Status.UPLOADED
    # the same session uploaded again (as a second platform process might): refused
    body = realtime.upload_body(file, session, None)
    again = requests.post(
        simulator.url + realtime.UPLOAD_PATH, data={"payExInfoStr": body}, timeout=5
    ).json()
    assert again["code"] == "20002"


def test_our_endpoint_refuses_a_session_it_has_seen(client):
    form = {"openReq": '{"orderNo":"SW1","sessionID":"abc-1","serviceTime":"1"}'}
    assert client.post("/customs/platDataOpen", form).json()["code"] == "10000"
    assert client.post("/customs/platDataOpen", form).json()["code"] == "20000"
    assert client.post("/customs/platDataOpen", {"openReq": "{"}).json()["code"] == "20000"
