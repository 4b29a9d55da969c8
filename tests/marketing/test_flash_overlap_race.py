"""Two schedulings (or changes) of one SKU at the same moment: only one sale gets the SKU.

The "no other sale of this SKU overlaps" rule is a read followed by a write; without a lock
two transactions both read "no overlap" and both write. ``_sale_check`` locks the SKUs'
rows first (``catalog.lock_objects.lock_skus``), so the second waits and then sees the
first's items. Each race is forced on the real PostgreSQL: the first pauses just before it
writes (after its check), the second must be seen waiting on a row lock.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from marketing.flash.services import flash_sale_edit, flash_sale_schedule
from marketing.models import FlashSale, FlashSaleItem
from tests.factories import MembershipFactory, ProductFactory, SKUFactory, StockFactory
from tests.locking import run_interleaved

pytestmark = pytest.mark.django_db(transaction=True)


def codes(exc: BaseException) -> set[str]:
    assert isinstance(exc, ValidationError), exc
    return {e.code for errors in exc.error_dict.values() for e in errors}


def _honey():
    membership = MembershipFactory()
    honey = SKUFactory(
        product=ProductFactory(merchant=membership.merchant), price=Decimal("199.00")
    )
    StockFactory(sku=honey, on_hand=100)
    return membership, honey


def _schedule(membership, honey, *, starts_at, hours=2, title="Flash"):
    def run():
        return flash_sale_schedule(
            merchant=membership.merchant,
            by=membership.user,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            per_shopper_limit=1,
            items=[{"sku": honey, "flash_price": Decimal("99.00"), "quantity": 1}],
        )

    return run


def test_two_overlapping_schedulings_of_one_sku_cannot_both_pass():
    assert connection.vendor == "postgresql"
    membership, honey = _honey()
    start = timezone.now() + timedelta(hours=1)
    run = run_interleaved(
        _schedule(membership, honey, starts_at=start, title="A"),
        _schedule(membership, honey, starts_at=start + timedelta(minutes=30), title="B"),
        pause_before=r'^INSERT INTO "marketing_flashsale"',
    )
    assert run.second_waited  # the two really met at the SKU's lock
    assert run.first.error is None and run.first.value.title == "A"
    assert codes(run.second.error) == {"flash_sku_overlap"}
    assert FlashSaleItem.objects.filter(sku=honey).count() == 1


def test_two_changes_moving_two_sales_onto_one_window_cannot_both_pass():
    membership, honey = _honey()
    start = timezone.now() + timedelta(hours=1)
    morning = _schedule(membership, honey, starts_at=start, hours=1, title="Morning")()
    evening = _schedule(membership, honey, starts_at=start + timedelta(hours=5), title="Eve")()
    noon = start + timedelta(hours=2)

    def move(sale):
        def run():
            return flash_sale_edit(
                sale=sale,
                by=membership.user,
                title=sale.title,
                starts_at=noon,
                ends_at=noon + timedelta(hours=1),
                per_shopper_limit=1,
                items=[{"sku": honey, "flash_price": Decimal("99.00"), "quantity": 1}],
            )

        return run

    # the first pauses after its check, just before it replaces its items
    run = run_interleaved(move(morning), move(evening), pause_before=r'^DELETE FROM "marketing')
    assert run.second_waited
    assert run.first.error is None
    assert codes(run.second.error) == {"flash_sku_overlap"}
    starts = set(FlashSale.objects.values_list("starts_at", flat=True))
    assert starts == {noon, start + timedelta(hours=5)}  # the evening sale stayed where it was


def test_twenty_schedulings_at_once_leave_one_sale_on_the_sku():
    membership, honey = _honey()
    start = timezone.now() + timedelta(hours=1)
    barrier = threading.Barrier(20)
    outcomes: list[object] = []

    def attempt(n):
        try:
            barrier.wait()
            outcomes.append(_schedule(membership, honey, starts_at=start + timedelta(minutes=n))())
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread met
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    won = [o for o in outcomes if isinstance(o, FlashSale)]
    lost = [o for o in outcomes if not isinstance(o, FlashSale)]
    assert len(won) == 1 and len(lost) == 19
    assert all(codes(e) == {"flash_sku_overlap"} for e in lost)
    assert FlashSaleItem.objects.filter(sku=honey).count() == 1
