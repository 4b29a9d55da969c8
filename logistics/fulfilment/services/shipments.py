"""Packing an order into a shipment of parcels (docs/LOGISTICS.md, "Fulfilment").

Creating the shipment **is** packing, the one door to it: the order moves through
``ORDER_FLOW`` "pack" in the same transaction (the seller portal's "mark packed", the
shipment form, the seller API and the back office all call this service; "mark packed" is
one parcel with everything). Packing accepts the order if nobody did.
Bonded-warehouse (1210) orders are packed only once customs has released them (``cleared``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from logistics.shipping.waybills import waybill_allocate
from marketplace.outbox import outbox_enqueue
from marketplace.rules import RuleErrors, field_error
from merchants.roles import Capability
from merchants.services import require_capability
from orders.flow import ORDER_FLOW, pack_refusal
from orders.lock_objects import lock_orders
from orders.models import Order, OrderEvent
from orders.services import order_accept

from ..models import Parcel, ParcelLine, Shipment
from ..outbox import route_key

WAYBILL_ORDER = "order"
WAYBILL_NEW = "new"


@dataclass
class ParcelSpec:
    """One parcel to pack: ``lines`` maps order line ids to units; ``waybill`` is
    ``"order"`` (the order's own waybill number, for one parcel at most) or ``"new"``."""

    lines: dict[int, int] = field(default_factory=dict)
    weight_kg: Decimal | None = None
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None
    waybill: str = WAYBILL_ORDER


def order_waybill_number(order: Order) -> str:
    """The waybill number allocated to the order at payment (customs' ``logisticsNo``), if
    the declaration layer gave it one (``Order.waybill_number``), else empty."""
    return order.waybill_number


def _check_parcels(order: Order, parcels: list[ParcelSpec]) -> None:
    errors = RuleErrors()
    lines = {line.pk: line for line in order.lines.all()}
    packed: dict[int, int] = dict.fromkeys(lines, 0)
    if not parcels:
        errors.add("parcels", _("Pack at least one parcel."), "parcel_required")
    for spec in parcels:
        if not spec.lines or any(q < 1 for q in spec.lines.values()):
            errors.add("parcels", _("Every parcel holds at least one unit."), "parcel_empty")
        for line_id, quantity in spec.lines.items():
            if line_id not in lines:
                errors.add("parcels", _("That line is not in this order."), "parcel_line_unknown")
            else:
                packed[line_id] += quantity
        if spec.weight_kg is not None and spec.weight_kg <= 0:
            errors.add("parcels", _("A parcel's weight must be above zero."), "parcel_weight")
        if spec.waybill not in (WAYBILL_ORDER, WAYBILL_NEW):
            errors.add("parcels", _("Use the order's waybill or a new one."), "parcel_waybill")
    if sum(1 for spec in parcels if spec.waybill == WAYBILL_ORDER) > 1:
        errors.add(
            "parcels",
            _("Only one parcel can travel on the order's waybill; give the others new ones."),
            "waybill_order_once",
        )
    short = [
        lines[pk].sku_code
        for pk, q in packed.items()
        if pk in lines and q != lines[pk].quantity - lines[pk].refunded_quantity
    ]
    if short:
        errors.add(
            "parcels",
            _("Pack every unit of the order exactly once: %(skus)s do not add up.")
            % {"skus": ", ".join(short)},
            "parcel_lines_mismatch",
        )
    errors.raise_if_any()


def _default_parcel(order: Order) -> ParcelSpec:
    lines = {line.pk: line.quantity - line.refunded_quantity for line in order.lines.all()}
    weights = [line.sku.gross_weight_kg for line in order.lines.select_related("sku")]
    weight = None
    if weights and all(w for w in weights):
        weight = sum(
            (
                line.sku.gross_weight_kg * line.quantity
                for line in order.lines.select_related("sku")
            ),
            Decimal("0"),
        )
    return ParcelSpec(lines={k: v for k, v in lines.items() if v > 0}, weight_kg=weight)


@transaction.atomic
def shipment_create(*, order: Order, by, parcels: list[ParcelSpec] | None = None) -> Shipment:
    """Pack ``order`` into ``parcels`` (default: one parcel with everything, on the order's
    waybill) and move it to ``packed``."""
    require_capability(by=by, merchant=order.merchant_id, capability=Capability.MANAGE_ORDERS)
    order = lock_orders([order.pk])[order.pk]
    if ORDER_FLOW.can(order, "pack") and pack_refusal(order) == "not_cleared":
        raise field_error(
            "status",
            _("Bonded goods can be packed only once customs has cleared the order."),
            "not_cleared",
        )
    if not ORDER_FLOW.can(order, "pack"):
        raise field_error(
            "status",
            _("This order cannot be packed now (it is %(status)s).")
            % {"status": order.get_status_display()},
            "order_not_packable",
        )
    specs = parcels if parcels is not None else [_default_parcel(order)]
    _check_parcels(order, specs)
    if order.accepted_at is None:
        order_accept(order=order, by=by)
    carrier = order.shipping_method.carrier
    route = route_key(Parcel(order=order))  # one journey for every parcel of the order
    shipment = Shipment.objects.create(
        merchant_id=order.merchant_id,
        order=order,
        warehouse_id=order.warehouse_id,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    for spec in specs:
        number = ""
        if spec.waybill == WAYBILL_ORDER:
            number = order_waybill_number(order)
        parcel = Parcel.objects.create(
            merchant_id=order.merchant_id,
            shipment=shipment,
            order=order,
            carrier=carrier,
            waybill_number=number or waybill_allocate(carrier=carrier),
            weight_kg=spec.weight_kg,
            length_cm=spec.length_cm,
            width_cm=spec.width_cm,
            height_cm=spec.height_cm,
            route=route,
        )
        ParcelLine.objects.bulk_create(
            ParcelLine(parcel=parcel, line_id=line_id, quantity=quantity)
            for line_id, quantity in spec.lines.items()
        )
        # The label: the carrier learns of the parcel once this commits (fulfilment/outbox.py).
        outbox_enqueue(
            kind="fulfilment.carrier_booking",
            payload={"parcel_id": parcel.pk},
            key=f"carrier-booking:{parcel.pk}",
        )
    ORDER_FLOW.apply(order, "pack", by=by, event_model=OrderEvent)
    return shipment
