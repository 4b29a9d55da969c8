"""Concurrent edits meet at a lock instead of racing past a check (forced interleavings on
the real PostgreSQL, see tests/locking.py)."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from logistics.shipping.models import MerchantShipping, ShippingMethod, ShippingRoute, ShippingZone
from logistics.shipping.services import free_shipping_threshold_set, network_save
from tests.factories import MerchantFactory
from tests.locking import run_interleaved

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_first_thresholds_at_once_make_one_row_and_the_later_wins():
    assert connection.vendor == "postgresql"
    merchant = MerchantFactory()
    run = run_interleaved(
        lambda: free_shipping_threshold_set(merchant=merchant, amount="99.00", currency="CNY"),
        lambda: free_shipping_threshold_set(merchant=merchant, amount="149.00", currency="CNY"),
    )
    assert run.second_waited, "the two settings never met at a lock: the test proves nothing"
    assert run.first.error is None and run.second.error is None, (run.first, run.second)
    terms = MerchantShipping.objects.get(merchant=merchant)
    assert terms.free_shipping_threshold == D("149.00")


def test_two_operators_cannot_both_add_routes_that_tie():
    method = ShippingMethod.objects.get(code="yanwen-line")
    origin = ShippingZone.objects.get(code="cn")
    gulf = ShippingZone.objects.create(code="t-gulf", name_en="Gulf", members="AE SA")
    saudi = ShippingZone.objects.create(code="t-sa", name_en="Saudi and Qatar", members="SA QA")

    def add(destination):
        return lambda: network_save(
            obj=ShippingRoute(
                method=method,
                origin_zone=origin,
                origin_kind="domestic",
                destination_zone=destination,
                min_days=8,
                max_days=16,
                first_weight_kg=D("0.1"),
                first_weight_price=D("25.00"),
                step_kg=D("0.1"),
                step_price=D("9.50"),
            )
        )

    run = run_interleaved(add(gulf), add(saudi))
    assert run.second_waited, "the two edits never met at a lock: the test proves nothing"
    assert run.first.error is None
    assert isinstance(run.second.error, ValidationError)
    assert "two routes for the same parcels" in " ".join(run.second.error.messages)
    assert ShippingRoute.objects.filter(destination_zone__in=[gulf, saudi]).count() == 1
