"""Packing an order into parcels (shipment_create): the split, the waybills, the rules."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from logistics.fulfilment.models import Parcel
from logistics.fulfilment.services import ParcelSpec, shipment_create
from logistics.shipping.waybills import waybill_allocate
from marketplace.clearance import ClearanceMode
from orders.models import Order
from tests.factories import UserFactory
from tests.logistics.shipping_helpers import carrier

from .helpers import paid_order, staff_of

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


def test_packing_with_no_split_makes_one_parcel_of_everything_and_packs_the_order():
    order = paid_order(quantities=(2, 1))
    shipment = shipment_create(order=order, by=staff_of(order.merchant))
    order.refresh_from_db()
    assert order.status == Order.Status.PACKED
    # packing accepts the order nobody accepted (as "mark packed" always did)
    assert [e.transition for e in order.events.all()] == ["accept", "pack"]
    (parcel,) = shipment.parcels.all()
    assert {(pl.line.sku_code, pl.quantity) for pl in parcel.lines.all()} == {
        (line.sku_code, line.quantity) for line in order.lines.all()
    }
    assert parcel.status == "pending"
    assert parcel.carrier == order.shipping_method.carrier
    assert parcel.waybill_number.startswith(parcel.carrier.code.upper()[:4])
    # gross weight 0.600 per unit (factory) × 3 units
    assert parcel.weight_kg == Decimal("1.800")


def test_an_order_split_into_two_parcels_gets_two_waybills():
    order = paid_order(quantities=(2, 1))
    a, b = order.lines.all()
    shipment = shipment_create(
        order=order,
        by=None,
        parcels=[
            ParcelSpec(lines={a.pk: 1, b.pk: 1}, weight_kg=Decimal("1.2"), length_cm=Decimal(30)),
            ParcelSpec(lines={a.pk: 1}, weight_kg=Decimal("0.6"), waybill="new"),
        ],
    )
    first, second = shipment.parcels.order_by("pk")
    assert first.waybill_number != second.waybill_number
    assert [pl.quantity for pl in first.lines.all()] == [1, 1]
    assert first.length_cm == Decimal(30)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda a, b: [ParcelSpec(lines={a.pk: 2})], "parcel_lines_mismatch"),
        (lambda a, b: [ParcelSpec(lines={a.pk: 2, b.pk: 2})], "parcel_lines_mismatch"),
        (lambda a, b: [ParcelSpec(lines={a.pk: 2, b.pk: 1}), ParcelSpec(lines={})], "parcel_empty"),
        (lambda a, b: [ParcelSpec(lines={a.pk: 2, b.pk: 1, 999999: 1})], "parcel_line_unknown"),
        (
            lambda a, b: [ParcelSpec(lines={a.pk: 2}), ParcelSpec(lines={b.pk: 1})],
            "waybill_order_once",
        ),
        (
            lambda a, b: [ParcelSpec(lines={a.pk: 2, b.pk: 1}, weight_kg=Decimal(0))],
            "parcel_weight",
        ),
        (lambda a, b: [], "parcel_required"),
    ],
)
def test_a_split_that_does_not_add_up_is_refused_and_nothing_is_packed(make, code):
    order = paid_order(quantities=(2, 1))
    a, b = order.lines.all()
    with pytest.raises(ValidationError) as caught:
        shipment_create(order=order, by=None, parcels=make(a, b))
    assert code in codes(caught.value)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert not Parcel.objects.exists()


def test_bonded_orders_are_packed_only_once_customs_has_cleared_them():
    order = paid_order(mode=ClearanceMode.BONDED, status=Order.Status.PAID)
    with pytest.raises(ValidationError) as caught:
        shipment_create(order=order, by=None)
    assert codes(caught.value) == {"not_cleared"}
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CLEARED)
    order.refresh_from_db()
    shipment_create(order=order, by=None)
    order.refresh_from_db()
    assert order.status == Order.Status.PACKED


def test_an_order_packed_once_cannot_be_packed_again():
    order = paid_order()
    shipment_create(order=order, by=None)
    with pytest.raises(ValidationError) as caught:
        shipment_create(order=order, by=None)
    assert codes(caught.value) == {"order_not_packable"}
    assert Parcel.objects.count() == 1


def test_only_the_merchants_fulfilment_staff_may_pack():
    order = paid_order()
    with pytest.raises(PermissionDenied):
        shipment_create(order=order, by=UserFactory())
    other = paid_order()
    with pytest.raises(PermissionDenied):
        shipment_create(order=order, by=staff_of(other.merchant, role="owner"))


def test_an_order_with_a_waybill_number_from_payment_ships_on_it():
    order = paid_order()
    Order.objects.filter(pk=order.pk).update(waybill_number="SIMX0000009999")  # as declared
    order.refresh_from_db()
    shipment = shipment_create(order=order, by=None)
    assert shipment.parcels.get().waybill_number == "SIMX0000009999"


@pytest.mark.django_db(transaction=True)
def test_waybill_numbers_never_repeat_under_concurrency():
    c = carrier("racer")
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def allocate():
        try:
            barrier.wait()
            for _ in range(15):
                numbers.append(waybill_allocate(carrier=c))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(numbers) == 90
    assert len(set(numbers)) == 90
    assert sorted(numbers)[-1] == "RACE0000000090"


def test_two_carriers_whose_codes_start_alike_never_hand_out_the_same_number():
    """``c1234`` and ``c1235`` both read ``C123``: the second numbering takes its own prefix."""
    first, second = carrier("c1234"), carrier("c1235")
    numbers = {waybill_allocate(carrier=first), waybill_allocate(carrier=second)}
    assert len(numbers) == 2
    assert waybill_allocate(carrier=first).startswith("C123")
