"""The order's lifecycle, declared once (docs/ORDERS.md, "Lifecycle").

Every move of ``Order.status`` goes through ``ORDER_FLOW.apply(order, "<name>", by=…,
event_model=OrderEvent)`` in a service that has taken the order's locks first (payment, then
orders, in the lock order). Customs docking adds the declared → cleared | customs_rejected
moves' causes (receipts); logistics adds packing, shipping and delivery's.

    awaiting_payment ─pay→ paid ─declare→ declared ─clear→ cleared ─pack→ packed ─ship→ shipped
                                                   └reject_customs→ customs_rejected
                     declared ─pack→ packed   (direct mail 9610: ships from abroad, clears on arrival)
                     paid ─pack→ packed   (orders nobody declares: general trade, domestic,
                                           personal parcels, exports)
    shipped ─deliver→ delivered ─complete→ completed
    awaiting_payment | paid | declared | cleared | customs_rejected | packed ─cancel→ cancelled
    shipped | delivered | completed ─refund→ refunded      (fully refunded after shipping)
    cancelled ─pay_late→ paid     (only ``checkout_pay``: a payment that succeeded after the
                                   reservation expired, its stock reserved again)
"""

from __future__ import annotations

from marketplace.clearance import ClearanceMode
from marketplace.transitions import Transition, Workflow

from .models import Order

S = Order.Status

ORDER_FLOW = Workflow(
    field="status",
    transitions={
        "pay": Transition(sources={S.AWAITING_PAYMENT}, target=S.PAID),
        "declare": Transition(sources={S.PAID}, target=S.DECLARED),
        "clear": Transition(sources={S.DECLARED}, target=S.CLEARED),
        "reject_customs": Transition(
            sources={S.DECLARED}, target=S.CUSTOMS_REJECTED, reason_required=True
        ),
        "pack": Transition(sources={S.PAID, S.DECLARED, S.CLEARED}, target=S.PACKED),
        "ship": Transition(sources={S.PACKED}, target=S.SHIPPED),
        "deliver": Transition(sources={S.SHIPPED}, target=S.DELIVERED),
        "complete": Transition(sources={S.DELIVERED}, target=S.COMPLETED),
        "cancel": Transition(
            sources={
                S.AWAITING_PAYMENT,
                S.PAID,
                S.DECLARED,
                S.CLEARED,
                S.CUSTOMS_REJECTED,
                S.PACKED,
            },
            target=S.CANCELLED,
        ),
        "refund": Transition(sources={S.SHIPPED, S.DELIVERED, S.COMPLETED}, target=S.REFUNDED),
        # A payment that succeeded after the checkout expired (its orders were cancelled by
        # the expiry and nothing else): ``orders.services.paying.checkout_pay`` reserves the
        # stock again and moves them on; nothing else takes this move.
        "pay_late": Transition(sources={S.CANCELLED}, target=S.PAID, reason_required=True),
    },
)


# The merchant accepts a paid order that is not packed yet (waiting for customs or through).
ACCEPTABLE = frozenset({S.PAID, S.DECLARED, S.CLEARED})
# Until the merchant packs it the shopper cancels the order (a cancellation refunds what was
# paid); from then on they ask for a refund, which the merchant or an operator decides.
SHOPPER_CANCELLABLE = frozenset(
    {S.AWAITING_PAYMENT, S.PAID, S.DECLARED, S.CLEARED, S.CUSTOMS_REJECTED}
)
REFUND_REQUESTABLE = frozenset({S.PACKED, S.SHIPPED, S.DELIVERED, S.COMPLETED})


def pack_refusal(order: Order) -> str | None:
    """Why ``order`` may not be packed yet although the table allows ``pack`` (a rule code),
    or None: bonded (1210) goods leave the bonded zone only once customs cleared them; the
    table's ``paid → pack`` is for orders nobody declares, and ``declared → pack`` for direct
    mail (9610), which ships from abroad and clears on arrival."""
    if order.clearance_mode == ClearanceMode.BONDED and order.status != S.CLEARED:
        return "not_cleared"
    return None
