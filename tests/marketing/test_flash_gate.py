"""Flash-sale admission through the Redis gate, on the real Redis and PostgreSQL.

What a shopper notices: they get through or are told why (sold out, over the cap, the sale
paused); nobody gets more than the cap; the sale never admits more units than it offers,
even when Redis loses its data or its copy drifts; units nobody bought come back.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from marketing.flash import gate
from marketing.flash.selectors import flash_counters, flash_held_units
from marketing.flash.services import (
    flash_admission_cancel,
    flash_admissions_consume,
    flash_admissions_expire,
    flash_admissions_release,
    flash_admit,
    flash_gate_reconcile,
    flash_gates_reconcile,
    flash_sale_cancel,
)
from marketing.models import FlashAdmission
from tests.factories import UserFactory
from tests.marketing.conftest import make_scene

pytestmark = pytest.mark.django_db

A = FlashAdmission.Status


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


def test_admission_takes_units_and_counts_them_in_the_gate(scene, shoppers):
    admission = flash_admit(user=shoppers[0], item=scene.item, quantity=2)

    assert admission.status == A.ADMITTED
    assert admission.expires_at > timezone.now() + timedelta(minutes=9)
    assert flash_counters([scene.item.pk]) == {scene.item.pk: 3}


def test_per_shopper_cap_counts_every_admission_of_the_shopper(scene, shoppers):
    flash_admit(user=shoppers[0], item=scene.item, quantity=1)
    flash_admit(user=shoppers[0], item=scene.item, quantity=1)

    with pytest.raises(ValidationError) as refused:
        flash_admit(user=shoppers[0], item=scene.item, quantity=1)

    assert codes(refused.value) == {"flash_over_limit"}
    assert flash_counters([scene.item.pk]) == {scene.item.pk: 3}
    flash_admit(user=shoppers[1], item=scene.item, quantity=2)  # others still may


def test_sold_out_is_said_and_nothing_is_written(scene, shoppers):
    flash_admit(user=shoppers[0], item=scene.item, quantity=2)
    flash_admit(user=shoppers[1], item=scene.item, quantity=2)
    flash_admit(user=shoppers[2], item=scene.item, quantity=1)

    with pytest.raises(ValidationError) as refused:
        flash_admit(user=shoppers[3], item=scene.item, quantity=1)

    assert codes(refused.value) == {"flash_sold_out"}
    assert FlashAdmission.objects.count() == 3
    assert flash_held_units(scene.item.pk) == 5


def test_nobody_is_admitted_outside_the_window(db, shoppers):
    upcoming = make_scene(starts_in=timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        flash_admit(user=shoppers[0], item=upcoming.item)
    assert codes(refused.value) == {"flash_sale_not_live"}


def test_a_cancelled_sale_admits_nobody(scene, shoppers):
    flash_sale_cancel(sale=scene.sale, by=scene.membership.user, reason="supplier late")
    scene.item.sale.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        flash_admit(user=shoppers[0], item=scene.item)
    assert codes(refused.value) == {"flash_sale_not_live"}


def test_the_sale_stops_when_redis_is_unreachable(scene, shoppers, settings):
    flash_admit(user=shoppers[0], item=scene.item)
    # A port nothing listens on: the real client, the real refusal (no mock).
    settings.FLASH_GATE_REDIS_URL = "redis://127.0.0.1:6399/0"

    with pytest.raises(ValidationError) as refused:
        flash_admit(user=shoppers[1], item=scene.item)

    assert codes(refused.value) == {"flash_gate_unavailable"}
    assert FlashAdmission.objects.count() == 1
    assert flash_counters([scene.item.pk]) == {scene.item.pk: None}


def test_a_redis_restart_rebuilds_the_gate_from_postgresql(scene, shoppers):
    flash_admit(user=shoppers[0], item=scene.item, quantity=2)
    flash_admit(user=shoppers[1], item=scene.item, quantity=2)
    gate.client().delete(*gate._keys(scene.item.pk))  # what a restart without persistence does

    # The next shopper's admission finds no gate, rebuilds it from the rows, and is let in
    # for the one unit the rows leave; shopper 0 is still capped at 2.
    flash_admit(user=shoppers[2], item=scene.item, quantity=1)
    assert flash_counters([scene.item.pk]) == {scene.item.pk: 0}
    with pytest.raises(ValidationError) as refused:
        flash_admit(user=shoppers[3], item=scene.item)
    assert codes(refused.value) == {"flash_sold_out"}
    assert flash_held_units(scene.item.pk) == 5


def test_reconciliation_corrects_a_gate_that_drifted(scene, shoppers):
    flash_admit(user=shoppers[0], item=scene.item, quantity=2)
    keys = gate._keys(scene.item.pk)
    gate.client().hset(keys[0], "left", 50)  # a copy that would oversell
    gate.client().hdel(keys[1], shoppers[0].pk)  # and forgot the shopper's units

    assert flash_gates_reconcile() == 1

    assert flash_counters([scene.item.pk]) == {scene.item.pk: 3}
    with pytest.raises(ValidationError) as refused:
        flash_admit(user=shoppers[0], item=scene.item)
    assert codes(refused.value) == {"flash_over_limit"}


def test_expired_admissions_give_their_units_back(
    scene, shoppers, django_capture_on_commit_callbacks
):
    admission = flash_admit(user=shoppers[0], item=scene.item, quantity=2)

    with django_capture_on_commit_callbacks(execute=True):
        assert flash_admissions_expire(now=timezone.now() + timedelta(minutes=11)) == 1

    admission.refresh_from_db()
    assert admission.status == A.EXPIRED
    assert admission.events.get().transition == "expire"
    assert flash_counters([scene.item.pk]) == {scene.item.pk: 5}
    flash_admit(user=shoppers[0], item=scene.item, quantity=2)  # cap counts held units only


def test_a_shopper_gives_up_an_admission(scene, shoppers, django_capture_on_commit_callbacks):
    admission = flash_admit(user=shoppers[0], item=scene.item, quantity=2)
    with pytest.raises(ValidationError):
        flash_admission_cancel(admission=admission, by=shoppers[1])
    with django_capture_on_commit_callbacks(execute=True):
        flash_admission_cancel(admission=admission, by=shoppers[0])
    admission.refresh_from_db()
    assert admission.status == A.CANCELLED
    assert flash_counters([scene.item.pk]) == {scene.item.pk: 5}


def test_a_give_back_counted_by_a_rebuild_is_not_counted_twice(scene, shoppers):
    flash_admit(user=shoppers[0], item=scene.item, quantity=2)
    before = scene.item.gate_generation + 1  # the rebuild at the first admission
    FlashAdmission.objects.update(status=A.EXPIRED)  # the row freed, its give-back not yet run
    flash_gate_reconcile(item_id=scene.item.pk)  # a rebuild counts the freed units

    assert (
        gate.gate_give_back(
            item_id=scene.item.pk, user_id=shoppers[0].pk, quantity=2, generation=before
        )
        is False
    )
    assert flash_counters([scene.item.pk]) == {scene.item.pk: 5}


def test_checkout_uses_admissions_at_the_flash_price_inside_the_window(scene, shoppers):
    shopper = shoppers[0]
    flash_admit(user=shopper, item=scene.item, quantity=1)
    flash_admit(user=shopper, item=scene.item, quantity=1)

    uses = flash_admissions_consume(
        user=shopper, lines=[(scene.honey.pk, 3)], checkout_number="CK-1"
    )

    assert uses[scene.honey.pk].units == 2
    assert uses[scene.honey.pk].unit_price == Decimal("99.00")
    assert set(FlashAdmission.objects.values_list("status", "checkout_number")) == {
        (A.USED, "CK-1")
    }
    # A second checkout finds nothing left to use.
    assert (
        flash_admissions_consume(user=shopper, lines=[(scene.honey.pk, 1)], checkout_number="CK-2")
        == {}
    )


def test_the_flash_price_does_not_apply_after_the_window(scene, shoppers):
    flash_admit(user=shoppers[0], item=scene.item, quantity=1)
    later = scene.sale.ends_at + timedelta(seconds=1)
    assert (
        flash_admissions_consume(
            user=shoppers[0], lines=[(scene.honey.pk, 1)], checkout_number="CK-1", now=later
        )
        == {}
    )


def test_admissions_a_line_cannot_hold_stay_for_later(scene, shoppers):
    flash_admit(user=shoppers[0], item=scene.item, quantity=2)
    assert (
        flash_admissions_consume(
            user=shoppers[0], lines=[(scene.honey.pk, 1)], checkout_number="CK-1"
        )
        == {}
    )
    assert FlashAdmission.objects.get().status == A.ADMITTED


def test_a_checkout_that_ends_unpaid_returns_its_units(
    scene, shoppers, django_capture_on_commit_callbacks
):
    flash_admit(user=shoppers[0], item=scene.item, quantity=2)
    flash_admissions_consume(user=shoppers[0], lines=[(scene.honey.pk, 2)], checkout_number="CK-9")

    with django_capture_on_commit_callbacks(execute=True):
        assert flash_admissions_release(checkout_number="CK-9", reason="expired") == 1
        assert flash_admissions_release(checkout_number="CK-9", reason="expired") == 0

    assert FlashAdmission.objects.get().status == A.RETURNED
    assert flash_counters([scene.item.pk]) == {scene.item.pk: 5}


@pytest.mark.django_db(transaction=True)
def test_many_shoppers_racing_for_few_units_never_oversell():
    """60 shoppers, each trying 3 times at once (180 attempts on 16 threads) for 20 units
    with a cap of 2: exactly 20 units admitted, nobody over 2, the gate at 0."""
    assert connection.vendor == "postgresql"
    scene = make_scene(units=20, limit=2)
    people = [UserFactory() for _ in range(60)]
    attempts = [p for p in people for _ in range(3)]
    start = threading.Barrier(16)
    outcomes: list[str] = []

    def attempt(person):
        try:
            if len(outcomes) < 16:
                start.wait(timeout=10)
        except threading.BrokenBarrierError:
            pass
        try:
            flash_admit(user=person, item=scene.item, quantity=1)
            return "admitted"
        except ValidationError as exc:
            return ",".join(sorted(codes(exc)))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, attempts))

    assert outcomes.count("admitted") == 20
    assert set(outcomes) <= {"admitted", "flash_sold_out", "flash_over_limit"}
    held = FlashAdmission.objects.filter(item=scene.item).aggregate(n=Sum("quantity"))["n"]
    assert held == 20
    per_shopper = FlashAdmission.objects.values("user").annotate(n=Sum("quantity"))
    assert max(row["n"] for row in per_shopper) <= 2
    assert flash_counters([scene.item.pk]) == {scene.item.pk: 0}


class _ClosedSocketRedis:
    """A Redis client whose every command fails the way redis-py fails on a connect that
    timed out mid-read (``ValueError: I/O operation on closed file``). A stand-in, because no
    local Redis can be made to fail that way on demand."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ValueError("I/O operation on closed file")

        return fail


def test_a_redis_read_on_a_closed_socket_stops_the_sale_instead_of_failing(
    scene, shoppers, monkeypatch
):
    flash_admit(user=shoppers[0], item=scene.item)
    monkeypatch.setattr(gate, "client", lambda: _ClosedSocketRedis())

    # the sold-out check of every attempt, and the page's counters: "the gate does not know"
    assert gate.gate_left([scene.item.pk]) == {scene.item.pk: None}
    assert gate.gate_read([scene.item.pk], user_id=shoppers[1].pk) == ({scene.item.pk: None}, None)
    gate.gate_drop(item_id=scene.item.pk)  # logged, not raised
    assert FlashAdmission.objects.count() == 1
