"""Stock services: every move writes its ledger line, counters never go wrong, and concurrent
checkouts cannot sell the same unit twice."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from catalog.lock_objects import lock_stock
from catalog.models import Stock, StockAdjustment
from catalog.selectors.stock import low_stock_skus, stock_rows
from catalog.services.stock import (
    InsufficientStock,
    StockCount,
    StockCountErrors,
    StockLine,
    stock_adjust,
    stock_count_set,
    stock_counts_set,
    stock_receive,
    stock_release,
    stock_reserve,
    stock_ship,
    stock_write_off,
)
from tests.factories import (
    MerchantFactory,
    ProductFactory,
    SKUFactory,
    UserFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db
R = StockAdjustment.Reason


@pytest.fixture
def sku():
    return SKUFactory(product_record_status="recorded", product_record_number="REC-1")


@pytest.fixture
def warehouse():
    return WarehouseFactory(kind="overseas", country="NZ")


def ledger(stock):
    return list(
        StockAdjustment.objects.filter(stock=stock)
        .order_by("id")
        .values_list("reason", "on_hand_delta", "reserved_delta", "on_hand_after", "reserved_after")
    )


def test_receiving_creates_the_row_and_writes_a_receipt(sku, warehouse):
    clerk = UserFactory()
    adjustment = stock_receive(
        merchant=sku.merchant, sku=sku, warehouse=warehouse, quantity=30, actor=clerk, note="PO-7"
    )
    stock = Stock.objects.get(sku=sku, warehouse=warehouse)
    assert (stock.on_hand, stock.reserved, stock.available) == (30, 0, 30)
    assert adjustment.actor == clerk and adjustment.note == "PO-7"
    assert adjustment.merchant == sku.merchant
    assert ledger(stock) == [(R.RECEIPT, 30, 0, 30, 0)]


def test_the_whole_life_of_a_unit_is_in_the_ledger(sku, warehouse):
    m = sku.merchant
    first = stock_receive(merchant=m, sku=sku, warehouse=warehouse, quantity=10)
    line = [StockLine(first.stock_id, 4)]
    stock_reserve(lines=line)
    stock_release(lines=[StockLine(first.stock_id, 1)])
    stock_ship(lines=[StockLine(first.stock_id, 3)])
    stock_write_off(merchant=m, sku=sku, warehouse=warehouse, quantity=2)
    stock_receive(merchant=m, sku=sku, warehouse=warehouse, quantity=1, reason=R.RETURN)
    stock_count_set(merchant=m, sku=sku, warehouse=warehouse, on_hand=9)

    stock = Stock.objects.get(pk=first.stock_id)
    assert (stock.on_hand, stock.reserved) == (9, 0)
    assert ledger(stock) == [
        (R.RECEIPT, 10, 0, 10, 0),
        (R.RESERVATION, 0, 4, 10, 4),
        (R.RELEASE, 0, -1, 10, 3),
        (R.SALE, -3, -3, 7, 0),
        (R.DAMAGE, -2, 0, 5, 0),
        (R.RETURN, 1, 0, 6, 0),
        (R.CORRECTION, 3, 0, 9, 0),
    ]


def test_reserving_more_than_available_is_refused_with_a_clear_error(sku, warehouse):
    receipt = stock_receive(merchant=sku.merchant, sku=sku, warehouse=warehouse, quantity=5)
    stock_reserve(lines=[StockLine(receipt.stock_id, 3)])
    with pytest.raises(InsufficientStock) as refused:
        stock_reserve(lines=[StockLine(receipt.stock_id, 3)])
    assert f"Only 2 of {sku.code} left" in refused.value.messages[0]
    assert "3 requested" in refused.value.messages[0]
    stock = Stock.objects.get(pk=receipt.stock_id)
    assert (stock.on_hand, stock.reserved) == (5, 3)


def test_a_multi_line_reservation_is_all_or_nothing(warehouse):
    merchant = MerchantFactory()
    a = SKUFactory(product__merchant=merchant)
    b = SKUFactory(product__merchant=merchant)
    row_a = stock_receive(merchant=merchant, sku=a, warehouse=warehouse, quantity=10).stock_id
    row_b = stock_receive(merchant=merchant, sku=b, warehouse=warehouse, quantity=1).stock_id
    with pytest.raises(InsufficientStock):
        stock_reserve(lines=[StockLine(row_a, 5), StockLine(row_b, 2)])
    assert Stock.objects.get(pk=row_a).reserved == 0
    assert StockAdjustment.objects.filter(reason=R.RESERVATION).count() == 0


def test_release_and_ship_only_what_is_reserved(sku, warehouse):
    row = stock_receive(merchant=sku.merchant, sku=sku, warehouse=warehouse, quantity=5).stock_id
    stock_reserve(lines=[StockLine(row, 2)])
    with pytest.raises(InsufficientStock):
        stock_ship(lines=[StockLine(row, 3)])
    with pytest.raises(InsufficientStock):
        stock_release(lines=[StockLine(row, 3)])
    assert (Stock.objects.get(pk=row).on_hand, Stock.objects.get(pk=row).reserved) == (5, 2)


def test_reserved_units_cannot_be_written_off_or_counted_away(sku, warehouse):
    m = sku.merchant
    row = stock_receive(merchant=m, sku=sku, warehouse=warehouse, quantity=5).stock_id
    stock_reserve(lines=[StockLine(row, 4)])
    with pytest.raises(InsufficientStock, match="Only 1 units"):
        stock_write_off(merchant=m, sku=sku, warehouse=warehouse, quantity=2)
    with pytest.raises(InsufficientStock, match="4 units .* are reserved"):
        stock_count_set(merchant=m, sku=sku, warehouse=warehouse, on_hand=3)
    assert Stock.objects.get(pk=row).on_hand == 5


def test_a_count_that_matches_writes_nothing(sku, warehouse):
    stock_receive(merchant=sku.merchant, sku=sku, warehouse=warehouse, quantity=5)
    assert stock_count_set(merchant=sku.merchant, sku=sku, warehouse=warehouse, on_hand=5) is None
    assert StockAdjustment.objects.count() == 1


@pytest.mark.parametrize("bad", [0, -1, "3", 2.5, True])
def test_quantities_are_whole_positive_numbers(sku, warehouse, bad):
    with pytest.raises(ValidationError) as refused:
        stock_receive(merchant=sku.merchant, sku=sku, warehouse=warehouse, quantity=bad)
    assert "quantity" in refused.value.message_dict
    assert not Stock.objects.exists()


def test_stock_adjust_dispatches_by_reason(sku, warehouse):
    m = sku.merchant
    stock_adjust(merchant=m, sku=sku, warehouse=warehouse, reason=R.RECEIPT, quantity=8)
    stock_adjust(merchant=m, sku=sku, warehouse=warehouse, reason=R.DAMAGE, quantity=1)
    stock_adjust(merchant=m, sku=sku, warehouse=warehouse, reason=R.CORRECTION, quantity=4)
    stock_adjust(merchant=m, sku=sku, warehouse=warehouse, reason=R.RETURN, quantity=2)
    assert Stock.objects.get(sku=sku).on_hand == 6
    with pytest.raises(ValidationError) as refused:
        stock_adjust(merchant=m, sku=sku, warehouse=warehouse, reason=R.SALE, quantity=1)
    assert "reason" in refused.value.message_dict


def test_lock_stock_locks_in_primary_key_order(sku, warehouse, django_assert_num_queries):
    other = WarehouseFactory(kind="overseas")
    ids = [
        stock_receive(merchant=sku.merchant, sku=sku, warehouse=w, quantity=1).stock_id
        for w in (warehouse, other)
    ]
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        locked = lock_stock(reversed(ids))
    assert list(locked) == sorted(ids)
    sql = queries.captured_queries[0]["sql"]
    assert 'FOR NO KEY UPDATE OF "catalog_stock"' in sql
    assert 'ORDER BY "catalog_stock"."id" ASC' in sql


def test_low_stock_lists_skus_at_or_under_their_threshold_across_warehouses(warehouse):
    merchant = MerchantFactory()
    product = ProductFactory(merchant=merchant)
    plenty = SKUFactory(product=product, low_stock_threshold=5)
    low = SKUFactory(product=product, low_stock_threshold=5)
    reserved_low = SKUFactory(product=product, low_stock_threshold=5)
    never_stocked = SKUFactory(product=product, low_stock_threshold=5)
    draft = SKUFactory(product=ProductFactory(merchant=merchant, status="draft"))
    second = WarehouseFactory(kind="overseas")
    # 3 + 3 across two warehouses = 6 > 5: not low
    stock_receive(merchant=merchant, sku=plenty, warehouse=warehouse, quantity=3)
    stock_receive(merchant=merchant, sku=plenty, warehouse=second, quantity=3)
    stock_receive(merchant=merchant, sku=low, warehouse=warehouse, quantity=5)
    row = stock_receive(merchant=merchant, sku=reserved_low, warehouse=warehouse, quantity=9)
    stock_reserve(lines=[StockLine(row.stock_id, 6)])  # 3 available
    found = {s.code: s.total_available for s in low_stock_skus(merchant=merchant)}
    assert found == {low.code: 5, reserved_low.code: 3, never_stocked.code: 0}
    assert draft.code not in found
    # another merchant sees none of it
    assert not low_stock_skus(merchant=MerchantFactory()).exists()
    rows = {(r.sku.code, r.is_low) for r in stock_rows(merchant=merchant)}
    assert (plenty.code, False) in rows and (low.code, True) in rows


def test_the_stock_list_is_one_query_whatever_its_length(warehouse, django_assert_num_queries):
    merchant = MerchantFactory()
    for _ in range(12):
        sku = SKUFactory(product__merchant=merchant)
        stock_receive(merchant=merchant, sku=sku, warehouse=warehouse, quantity=2)
    with django_assert_num_queries(1):
        rows = list(stock_rows(merchant=merchant))
        assert [r.sku.product.name for r in rows] and [r.warehouse.name for r in rows]
    with django_assert_num_queries(1):
        assert len([s.product.name for s in low_stock_skus(merchant=merchant)]) == 12


# --- concurrency: real transactions, real row locks --------------------------------------------


def _in_thread(target, *args):
    """Run ``target`` in a thread with its own database connection."""
    outcome = {}

    def run():
        try:
            outcome["value"] = target(*args)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread met
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    return thread, outcome


@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_never_oversell():
    assert connection.vendor == "postgresql"
    sku = SKUFactory()
    warehouse = WarehouseFactory(kind="overseas")
    row = stock_receive(merchant=sku.merchant, sku=sku, warehouse=warehouse, quantity=7).stock_id
    barrier = threading.Barrier(20)

    def buy():
        barrier.wait()
        return stock_reserve(lines=[StockLine(row, 1)])

    runs = [_in_thread(buy) for _ in range(20)]
    for thread, _outcome in runs:
        thread.start()
    for thread, _outcome in runs:
        thread.join(timeout=60)
    won = [o for _t, o in runs if "value" in o]
    lost = [o["error"] for _t, o in runs if "error" in o]
    assert len(won) == 7
    assert len(lost) == 13 and all(isinstance(e, InsufficientStock) for e in lost)
    stock = Stock.objects.get(pk=row)
    assert (stock.on_hand, stock.reserved) == (7, 7)
    assert StockAdjustment.objects.filter(stock=stock, reason=R.RESERVATION).count() == 7
    # the ledger's after-values tell one consistent story: 1, 2, … 7 reserved
    afters = sorted(
        StockAdjustment.objects.filter(stock=stock, reason=R.RESERVATION).values_list(
            "reserved_after", flat=True
        )
    )
    assert afters == list(range(1, 8))


@pytest.mark.django_db(transaction=True)
def test_crossing_multi_row_checkouts_do_not_deadlock():
    """Two checkouts naming the same two rows in opposite orders both finish."""
    merchant = MerchantFactory()
    warehouse = WarehouseFactory(kind="overseas")
    a = SKUFactory(product__merchant=merchant)
    b = SKUFactory(product__merchant=merchant)
    row_a = stock_receive(merchant=merchant, sku=a, warehouse=warehouse, quantity=100).stock_id
    row_b = stock_receive(merchant=merchant, sku=b, warehouse=warehouse, quantity=100).stock_id
    barrier = threading.Barrier(8)

    def checkout(first, second):
        barrier.wait()
        for _ in range(5):
            stock_reserve(lines=[StockLine(first, 1), StockLine(second, 1)])
        return True

    runs = [_in_thread(checkout, *((row_a, row_b) if i % 2 else (row_b, row_a))) for i in range(8)]
    for thread, _o in runs:
        thread.start()
    for thread, _o in runs:
        thread.join(timeout=60)
    assert [o.get("error") for _t, o in runs] == [None] * 8
    assert Stock.objects.get(pk=row_a).reserved == 40
    assert Stock.objects.get(pk=row_b).reserved == 40


def test_counting_many_rows_is_all_or_nothing_in_constant_queries(django_assert_max_num_queries):
    merchant = MerchantFactory()
    warehouse = WarehouseFactory(kind="overseas")
    skus = [SKUFactory(product__merchant=merchant) for _ in range(30)]
    stock_receive(merchant=merchant, sku=skus[0], warehouse=warehouse, quantity=5)
    counts = [StockCount(sku=s, warehouse=warehouse, on_hand=i + 5) for i, s in enumerate(skus)]
    # savepoint, read rows, create rows, re-read, lock, update, ledger, release
    with django_assert_max_num_queries(9):
        written = stock_counts_set(merchant=merchant, counts=counts, note="count")
    assert len(written) == 29  # the first SKU already had 5
    assert Stock.objects.get(sku=skus[7]).on_hand == 12
    assert {a.reason for a in written} == {R.IMPORT}

    row = Stock.objects.get(sku=skus[1])
    stock_reserve(lines=[StockLine(row.pk, 6)])
    bonded = WarehouseFactory(kind="bonded")
    before = list(Stock.objects.order_by("pk").values_list("pk", "on_hand"))
    with pytest.raises(StockCountErrors) as refused:
        stock_counts_set(
            merchant=merchant,
            counts=[
                StockCount(sku=skus[2], warehouse=warehouse, on_hand=1),
                StockCount(sku=skus[1], warehouse=warehouse, on_hand=2),
                StockCount(sku=skus[3], warehouse=bonded, on_hand=1),
            ],
        )
    assert set(refused.value.by_index) == {1, 2}
    assert "reserved" in refused.value.by_index[1].messages[0]
    assert "bonded" in refused.value.by_index[2].messages[0]
    assert list(Stock.objects.order_by("pk").values_list("pk", "on_hand")) == before
