"""Stock writes: every change of a stock row, and its line in the stock ledger.

The habits (Saleor's): rows are locked in primary-key order by one helper
(``catalog.lock_objects.lock_stock``), so two checkouts touching the same rows can never
deadlock; counters change with ``F()`` expressions on the locked rows; and every change
writes one ``StockAdjustment`` with its reason, the deltas and the values after the change. Nothing else writes ``Stock``.

``available`` = on hand − reserved. A reservation (checkout) holds units without moving
them; shipping a sale takes them out of both counters; a release hands them back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from catalog.lock_objects import lock_stock
from catalog.models import SKU, ProductRecordStatus, Stock, StockAdjustment
from catalog.selectors.storefront.live_stock import stock_forget
from logistics.models import Warehouse
from marketplace.cacheversion import storefront_version
from marketplace.rules import field_error
from merchants.roles import Capability
from merchants.services import require_capability

Reason = StockAdjustment.Reason
#: the most units one stock row holds (its counters are PostgreSQL integers)
MAX_UNITS = 2_147_483_647

# What a person may pick in the "adjust stock" form (portal and API); the other reasons
# belong to checkout (reservation, release, sale) and the CSV import.
MANUAL_REASONS = (Reason.RECEIPT, Reason.RETURN, Reason.CORRECTION, Reason.DAMAGE)
MANUAL_REASON_CHOICES = [(r.value, r.label) for r in MANUAL_REASONS]


class InsufficientStock(ValidationError):
    """A reservation, sale or write-off asked for more units than the row can give."""

    def __init__(self, message: str):
        super().__init__(message, code="insufficient_stock")


@dataclass(frozen=True)
class StockLine:
    """``quantity`` units of the stock row ``stock_id`` (what checkout reserves and ships)."""

    stock_id: int
    quantity: int


def _adjusted(
    stock: Stock,
    *,
    reason: str,
    on_hand_delta: int = 0,
    reserved_delta: int = 0,
    actor=None,
    note: str = "",
) -> StockAdjustment:
    """Check the deltas against a row locked by ``lock_stock``, apply them to the row in
    memory, and return its (unsaved) ledger line."""
    on_hand = stock.on_hand + on_hand_delta
    reserved = stock.reserved + reserved_delta
    if on_hand > MAX_UNITS:
        # The counters are 32-bit columns: refuse what they cannot hold (it was a 500).
        raise field_error(
            "quantity",
            _("A stock row holds at most %(max)s units.") % {"max": f"{MAX_UNITS:,}"},
            "quantity_too_large",
        )
    if on_hand < 0 or reserved < 0 or reserved > on_hand:
        # Callers check first and raise a message for the person; this is the last guard.
        raise InsufficientStock(
            _("This change would leave %(sku)s in %(warehouse)s with a negative quantity.")
            % {"sku": stock.sku.code, "warehouse": stock.warehouse.name}
        )
    stock.on_hand, stock.reserved = on_hand, reserved
    return StockAdjustment(
        merchant_id=stock.merchant_id,
        stock=stock,
        reason=reason,
        on_hand_delta=on_hand_delta,
        reserved_delta=reserved_delta,
        on_hand_after=on_hand,
        reserved_after=reserved,
        actor=actor,
        note=(note or "").strip()[:255],
    )


def _record(
    stock: Stock,
    *,
    reason: str,
    on_hand_delta: int = 0,
    reserved_delta: int = 0,
    actor=None,
    note: str = "",
) -> StockAdjustment:
    """Apply the deltas to a row locked by ``lock_stock`` and write its ledger line."""
    adjustment = _adjusted(
        stock,
        reason=reason,
        on_hand_delta=on_hand_delta,
        reserved_delta=reserved_delta,
        actor=actor,
        note=note,
    )
    Stock.objects.filter(pk=stock.pk).update(
        on_hand=F("on_hand") + on_hand_delta, reserved=F("reserved") + reserved_delta
    )
    stock_forget([stock.sku_id])
    adjustment.save()
    return adjustment


def _check_place(*, merchant, sku: SKU, warehouse: Warehouse) -> None:
    """The rules for where a merchant's SKU may be stocked."""
    if sku.merchant_id != merchant.pk:
        raise field_error("sku", _("This SKU belongs to another merchant."), "sku_other_merchant")
    if warehouse.merchant_id is not None and warehouse.merchant_id != merchant.pk:
        # Same words as an unknown code: another merchant's warehouse must not be confirmed.
        raise field_error("warehouse", _("Unknown warehouse."), "unknown_warehouse")
    if not warehouse.is_active:
        raise field_error(
            "warehouse", _("This warehouse is closed: it takes no new stock."), "warehouse_closed"
        )
    if (
        warehouse.kind == Warehouse.Kind.BONDED
        and sku.product_record_status != ProductRecordStatus.RECORDED
    ):
        raise field_error(
            "warehouse",
            _(
                "Goods enter a bonded warehouse only with a recorded customs product "
                "record; SKU %(sku)s has none."
            )
            % {"sku": sku.code},
            "bonded_needs_record",
        )


def _row_for(*, merchant, sku: SKU, warehouse: Warehouse, receiving: bool = False) -> Stock:
    """The locked stock row of ``sku`` in ``warehouse``, created (empty) when missing.

    Goods coming in (``receiving``) meet the placement rules every time; counts and
    write-offs on an existing row do not, so a closed warehouse can still be emptied.
    """
    existing = Stock.objects.filter(sku=sku, warehouse=warehouse).values_list("pk", flat=True)
    pk = next(iter(existing), None)
    if pk is None or receiving:
        _check_place(merchant=merchant, sku=sku, warehouse=warehouse)
    if pk is None:
        try:
            with transaction.atomic():
                pk = Stock.objects.create(merchant=merchant, sku=sku, warehouse=warehouse).pk
            # A new place for the SKU can change the clearance modes the storefront shows.
            storefront_version.bump_for_write()
        except IntegrityError:
            # Another transaction created the row between our read and insert: use theirs.
            pk = Stock.objects.get(sku=sku, warehouse=warehouse).pk
    elif sku.merchant_id != merchant.pk:
        raise field_error("sku", _("This SKU belongs to another merchant."), "sku_other_merchant")
    return lock_stock([pk])[pk]


def _positive(quantity, field: str = "quantity") -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise field_error(field, _("Enter a whole number greater than zero."), "quantity_positive")
    return quantity


@transaction.atomic
def stock_receive(
    *,
    merchant,
    sku: SKU,
    warehouse: Warehouse,
    quantity: int,
    actor=None,
    note: str = "",
    reason: str = Reason.RECEIPT,
) -> StockAdjustment:
    """Goods arrived (``receipt``) or came back from a customer (``return``): on hand grows."""
    if reason not in (Reason.RECEIPT, Reason.RETURN):
        raise field_error("reason", _("Receiving stock is a receipt or a return."), "stock_reason")
    quantity = _positive(quantity)
    stock = _row_for(merchant=merchant, sku=sku, warehouse=warehouse, receiving=True)
    return _record(stock, reason=reason, on_hand_delta=quantity, actor=actor, note=note)


@transaction.atomic
def stock_count_set(
    *,
    merchant,
    sku: SKU,
    warehouse: Warehouse,
    on_hand: int,
    actor=None,
    note: str = "",
    reason: str = Reason.CORRECTION,
) -> StockAdjustment | None:
    """Set the counted quantity on hand (a stock take, or the CSV import). Returns ``None``
    and writes nothing when the count already matches. Reserved units cannot be counted
    away: a count below what is reserved is refused."""
    if reason not in (Reason.CORRECTION, Reason.IMPORT):
        raise field_error(
            "reason", _("Setting a count is a correction or an import."), "stock_reason"
        )
    if not isinstance(on_hand, int) or isinstance(on_hand, bool) or on_hand < 0:
        raise field_error(
            "quantity", _("Enter a whole number, zero or more."), "quantity_not_negative"
        )
    stock = _row_for(merchant=merchant, sku=sku, warehouse=warehouse)
    if on_hand < stock.reserved:
        raise InsufficientStock(
            _(
                "%(reserved)d units of %(sku)s in %(warehouse)s are reserved for orders; "
                "the count cannot be lower."
            )
            % {"reserved": stock.reserved, "sku": sku.code, "warehouse": warehouse.name}
        )
    delta = on_hand - stock.on_hand
    if delta == 0:
        return None
    return _record(stock, reason=reason, on_hand_delta=delta, actor=actor, note=note)


@dataclass(frozen=True)
class StockCount:
    """A counted quantity on hand of ``sku`` in ``warehouse`` (one line of a stock file)."""

    sku: SKU
    warehouse: Warehouse
    on_hand: int


class StockCountErrors(ValidationError):
    """Some counts of a batch were refused; ``by_index`` maps each to its error. The batch
    changed nothing."""

    def __init__(self, by_index: dict[int, ValidationError]):
        self.by_index = by_index
        super().__init__([message for e in by_index.values() for message in e.messages])


@transaction.atomic
def stock_counts_set(
    *,
    merchant,
    counts: list[StockCount],
    actor=None,
    note: str = "",
    reason: str = Reason.IMPORT,
) -> list[StockAdjustment]:
    """Set many counted quantities at once (the CSV import): the same rules as
    ``stock_count_set`` for each count, all or nothing, in a constant number of queries.

    Missing rows are created, then every row is locked in one ``lock_stock`` call, checked
    against its locked values, and changed; equal counts write nothing. Raises
    ``StockCountErrors`` (naming each refused count by its index) and changes nothing when
    any count is refused. Each (SKU, warehouse) may appear once.
    """
    require_capability(by=actor, merchant=merchant, capability=Capability.MANAGE_CATALOG)
    if reason not in (Reason.CORRECTION, Reason.IMPORT):
        raise field_error(
            "reason", _("Setting a count is a correction or an import."), "stock_reason"
        )
    errors: dict[int, ValidationError] = {}
    pairs = {(c.sku.pk, c.warehouse.pk): i for i, c in enumerate(counts)}
    if len(pairs) != len(counts):
        raise ValidationError(
            _("Each SKU and warehouse may be counted once per batch."), code="count_duplicate"
        )
    existing = {
        (row.sku_id, row.warehouse_id): row.pk
        for row in Stock.objects.filter(
            sku_id__in={c.sku.pk for c in counts},
            warehouse_id__in={c.warehouse.pk for c in counts},
        ).only("pk", "sku_id", "warehouse_id")
        if (row.sku_id, row.warehouse_id) in pairs
    }
    missing = []
    for index, count in enumerate(counts):
        on_hand = count.on_hand
        if not isinstance(on_hand, int) or isinstance(on_hand, bool) or on_hand < 0:
            errors[index] = field_error(
                "quantity", _("Enter a whole number, zero or more."), "quantity_not_negative"
            )
            continue
        try:
            if (count.sku.pk, count.warehouse.pk) not in existing:
                _check_place(merchant=merchant, sku=count.sku, warehouse=count.warehouse)
                missing.append(count)
            elif count.sku.merchant_id != merchant.pk:
                raise field_error(
                    "sku", _("This SKU belongs to another merchant."), "sku_other_merchant"
                )
        except ValidationError as exc:
            errors[index] = exc
    # Carry on with the valid counts so one call reports every refused count.
    if missing:
        Stock.objects.bulk_create(
            [Stock(merchant=merchant, sku=c.sku, warehouse=c.warehouse) for c in missing],
            ignore_conflicts=True,  # created meanwhile by someone else: theirs is as good
        )
        storefront_version.bump_for_write()  # new places: see _row_for
        existing.update(
            {
                (row.sku_id, row.warehouse_id): row.pk
                for row in Stock.objects.filter(
                    sku_id__in={c.sku.pk for c in missing},
                    warehouse_id__in={c.warehouse.pk for c in missing},
                ).only("pk", "sku_id", "warehouse_id")
            }
        )
    locked = lock_stock(existing.values())
    changed: list[Stock] = []
    adjustments: list[StockAdjustment] = []
    for index, count in enumerate(counts):
        if index in errors:
            continue
        stock = locked[existing[(count.sku.pk, count.warehouse.pk)]]
        if count.on_hand < stock.reserved:
            errors[index] = InsufficientStock(
                _(
                    "%(reserved)d units of %(sku)s in %(warehouse)s are reserved for orders; "
                    "the count cannot be lower."
                )
                % {
                    "reserved": stock.reserved,
                    "sku": count.sku.code,
                    "warehouse": stock.warehouse.name,
                }
            )
            continue
        delta = count.on_hand - stock.on_hand
        if delta == 0:
            continue
        # Absolute values are safe here: the rows are locked until this transaction ends.
        stock.on_hand = count.on_hand
        changed.append(stock)
        adjustments.append(
            StockAdjustment(
                merchant_id=stock.merchant_id,
                stock=stock,
                reason=reason,
                on_hand_delta=delta,
                reserved_delta=0,
                on_hand_after=stock.on_hand,
                reserved_after=stock.reserved,
                actor=actor,
                note=(note or "").strip()[:255],
            )
        )
    if errors:
        raise StockCountErrors(errors)
    Stock.objects.bulk_update(changed, ["on_hand"], batch_size=500)
    stock_forget(row.sku_id for row in changed)
    return StockAdjustment.objects.bulk_create(adjustments, batch_size=500)


@transaction.atomic
def stock_write_off(
    *, merchant, sku: SKU, warehouse: Warehouse, quantity: int, actor=None, note: str = ""
) -> StockAdjustment:
    """Damaged or lost goods leave the books. Only available units can be written off;
    reserved ones belong to orders (release them first)."""
    quantity = _positive(quantity)
    stock = _row_for(merchant=merchant, sku=sku, warehouse=warehouse)
    if quantity > stock.available:
        raise InsufficientStock(
            _("Only %(available)d units of %(sku)s in %(warehouse)s can be written off.")
            % {"available": stock.available, "sku": sku.code, "warehouse": warehouse.name}
        )
    return _record(stock, reason=Reason.DAMAGE, on_hand_delta=-quantity, actor=actor, note=note)


@transaction.atomic
def stock_adjust(
    *,
    merchant,
    sku: SKU,
    warehouse: Warehouse,
    reason: str,
    quantity: int,
    actor=None,
    note: str = "",
) -> StockAdjustment | None:
    """A person's stock adjustment (portal form, seller API): the reason decides the move.

    The merchant's entry point, so it checks ``actor``'s capability (``manage_catalog``);
    the primitives it calls (receive, count, write off) record who acted and check nothing,
    as a warehouse's own staff may act through them.

    ``receipt`` / ``return``: ``quantity`` units arrive; ``damage``: ``quantity`` units are
    written off; ``correction``: ``quantity`` is the new counted quantity on hand.
    """
    require_capability(by=actor, merchant=merchant, capability=Capability.MANAGE_CATALOG)
    if reason in (Reason.RECEIPT, Reason.RETURN):
        return stock_receive(
            merchant=merchant,
            sku=sku,
            warehouse=warehouse,
            quantity=quantity,
            actor=actor,
            note=note,
            reason=reason,
        )
    if reason == Reason.DAMAGE:
        return stock_write_off(
            merchant=merchant,
            sku=sku,
            warehouse=warehouse,
            quantity=quantity,
            actor=actor,
            note=note,
        )
    if reason == Reason.CORRECTION:
        return stock_count_set(
            merchant=merchant,
            sku=sku,
            warehouse=warehouse,
            on_hand=quantity,
            actor=actor,
            note=note,
        )
    raise field_error("reason", _("Choose a reason for the adjustment."), "stock_reason")


def _record_many(
    locked: dict[int, Stock],
    deltas: dict[int, tuple[int, int]],
    *,
    reason: str,
    actor=None,
    note: str = "",
) -> list[StockAdjustment]:
    """``_record`` for many rows locked by ``lock_stock`` (``deltas``: row -> (on hand,
    reserved) delta), in two statements whatever the number of rows: checkout reserves and
    releases every line of a cart at once, and its cost must not grow with the lines.
    Absolute values are safe: the rows are locked until the transaction ends."""
    adjustments = [
        _adjusted(
            locked[pk],
            reason=reason,
            on_hand_delta=on_hand_delta,
            reserved_delta=reserved_delta,
            actor=actor,
            note=note,
        )
        for pk, (on_hand_delta, reserved_delta) in deltas.items()
    ]
    Stock.objects.bulk_update([locked[pk] for pk in deltas], ["on_hand", "reserved"])
    stock_forget(locked[pk].sku_id for pk in deltas)
    return StockAdjustment.objects.bulk_create(adjustments)


def _lines(lines: Iterable[StockLine]) -> dict[int, int]:
    """Merge lines naming the same row (one lock, one ledger line per row)."""
    merged: dict[int, int] = {}
    for line in lines:
        merged[line.stock_id] = merged.get(line.stock_id, 0) + _positive(line.quantity)
    if not merged:
        raise field_error(
            "lines", _("Nothing to do: no stock lines given."), "stock_lines_required"
        )
    return merged


@transaction.atomic
def stock_reserve(
    *, lines: Iterable[StockLine], actor=None, note: str = ""
) -> list[StockAdjustment]:
    """Hold units for an order (checkout). All lines or none: if any row has fewer units
    available than asked, nothing is reserved and ``InsufficientStock`` names the row."""
    adjustments, _given = stock_reserve_with_extras(lines=lines, actor=actor, note=note)
    return adjustments


@transaction.atomic
def stock_reserve_with_extras(
    *,
    lines: Iterable[StockLine],
    extras: Iterable[StockLine] = (),
    actor=None,
    note: str = "",
) -> tuple[list[StockAdjustment], list[bool]]:
    """``stock_reserve`` of ``lines`` (all or none) plus ``extras`` held only if there is
    stock for them (gifts with purchase: a gift can run out, the order places without it).
    Every row is locked in the one primary-key-ordered pass (``lock_stock``, slot 9); each
    extra, in the order given, takes what the lines and the earlier extras left, whole or
    not at all. Returns the ledger lines and, per extra, whether it was held."""
    wanted = _lines(lines)
    extras = list(extras)
    for extra in extras:
        _positive(extra.quantity)
    locked = lock_stock(set(wanted) | {extra.stock_id for extra in extras})
    for pk, quantity in wanted.items():
        stock = locked[pk]
        if quantity > stock.available:
            raise InsufficientStock(
                _("Only %(available)d of %(sku)s left in %(warehouse)s; %(requested)d requested.")
                % {
                    "available": stock.available,
                    "sku": stock.sku.code,
                    "warehouse": stock.warehouse.name,
                    "requested": quantity,
                }
            )
    given: list[bool] = []
    for extra in extras:
        stock = locked.get(extra.stock_id)
        held = wanted.get(extra.stock_id, 0)
        fits = stock is not None and held + extra.quantity <= stock.available
        if fits:
            wanted[extra.stock_id] = held + extra.quantity
        given.append(fits)
    adjustments = _record_many(
        locked,
        {pk: (0, q) for pk, q in wanted.items()},
        reason=Reason.RESERVATION,
        actor=actor,
        note=note,
    )
    return adjustments, given


def _check_reserved(stock: Stock, quantity: int) -> None:
    if quantity > stock.reserved:
        raise InsufficientStock(
            _("Only %(reserved)d units of %(sku)s are reserved in %(warehouse)s.")
            % {"reserved": stock.reserved, "sku": stock.sku.code, "warehouse": stock.warehouse.name}
        )


@transaction.atomic
def stock_release(
    *, lines: Iterable[StockLine], actor=None, note: str = ""
) -> list[StockAdjustment]:
    """Give reserved units back (order cancelled, payment failed or expired). All or none."""
    wanted = _lines(lines)
    locked = lock_stock(wanted)
    for pk, quantity in wanted.items():
        _check_reserved(locked[pk], quantity)
    return _record_many(
        locked,
        {pk: (0, -q) for pk, q in wanted.items()},
        reason=Reason.RELEASE,
        actor=actor,
        note=note,
    )


@transaction.atomic
def stock_ship(*, lines: Iterable[StockLine], actor=None, note: str = "") -> list[StockAdjustment]:
    """Reserved units leave the warehouse for a customer (a sale): on hand and reserved both
    go down. Only reserved units can ship. All lines or none."""
    wanted = _lines(lines)
    locked = lock_stock(wanted)
    for pk, quantity in wanted.items():
        _check_reserved(locked[pk], quantity)
    return _record_many(
        locked,
        {pk: (-q, -q) for pk, q in wanted.items()},
        reason=Reason.SALE,
        actor=actor,
        note=note,
    )
