"""Nothing depends on a task having run: a worker killed in the middle of a send leaves the
documents pending, and the outbox's sweeper has another worker send them."""

from __future__ import annotations

import signal
import time

import pytest
from django.db import transaction

from customs.declarations import services
from customs.declarations.models import Declaration
from marketplace.celery import app
from marketplace.models import OutboxMessage
from marketplace.outbox import outbox_sweep
from orders.models import Order
from tests.customs.docking.conftest import wait_for
from tests.workers import start_worker, stop_worker

from .helpers import paid_order, profile

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def real_dispatch():
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def test_a_worker_killed_mid_send_is_made_good_by_the_sweeper(
    simulator, real_dispatch, tmp_path, settings
):
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    p = profile(gateway_url=simulator.url)
    simulator.faults(latency_ms=4000)  # every envelope hangs for 4 s at the gateway
    first = start_worker(tmp_path / "first.log", queues="customs", OUTBOX_LEASE_SECONDS=3)
    order, facts = paid_order()
    with transaction.atomic():
        file = services.declarations_open(order, payment=facts)
    try:
        # the worker has claimed a send and is waiting on the gateway: kill it there
        wait_for(
            lambda: OutboxMessage.objects.filter(kind=services.SEND, attempts__gte=1).exists(),
            timeout=20,
        )
        time.sleep(0.5)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert not file.documents.filter(state=Declaration.State.SENT).exists()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID

    simulator.faults(latency_ms=0)
    second = start_worker(tmp_path / "second.log", queues="customs")
    try:
        time.sleep(3.5)  # the dead worker's lease runs out

        def swept_and_sent():
            outbox_sweep()  # what beat runs every minute
            return (
                not file.documents.exclude(kind="inventory")
                .exclude(
                    state__in=[
                        Declaration.State.SENT,
                        Declaration.State.ACCEPTED,
                        Declaration.State.DONE,
                    ]
                )
                .exists()
            )

        wait_for(swept_and_sent, timeout=60, interval=2)

        def cleared():
            services.receipts_fetch(profile=p, timeout=0.2)
            return Order.objects.get(pk=order.pk).status == Order.Status.CLEARED

        try:
            wait_for(cleared, timeout=120, interval=0.5)
        except AssertionError:
            states = list(
                file.documents.values_list("kind", "state", "return_status", "last_error")
            )
            outbox = list(
                OutboxMessage.objects.values_list("key", "status", "attempts", "last_error")
            )
            raise AssertionError(f"documents {states}; outbox {outbox}") from None
    finally:
        stop_worker(second)
    # the gateway holds each document once, whatever was resent
    for kind in ("order", "payment", "waybill", "inventory"):
        assert len([d for d in simulator.state()["documents"] if d["kind"] == kind]) == 1
