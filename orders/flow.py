"""The order's lifecycle, declared once (docs/ORDERS.md, "Lifecycle").

Every move of ``Order.status`` goes through ``ORDER_FLOW.apply(order, "<name>", by=…,
event_model=OrderEvent)`` in a service that has taken the order's locks first (payment, then
orders, in the lock order). Customs docking adds the declared → cleared | customs_rejected
moves' causes (receipts); logistics adds packing, shipping and delivery's.

    awaiting_payment ─pay→ paid ─declare→ declared ─clear→ cleared ─pack→ packed ─ship→ shipped
                                                   └reject_customs→ customs_rejected
                     paid ─pack→ packed   (orders nobody declares: general trade, domestic,
                                           personal parcels, exports)
    shipped ─deliver→ delivered ─complete→ completed
    awaiting_payment | paid | declared | cleared | customs_rejected | packed ─cancel→ cancelled
    shipped | delivered | completed ─refund→ refunded      (fully refunded after shipping)
    cancelled ─pay_late→ paid     (only ``checkout_pay``: a payment that succeeded after the
                                   reservation expired, its stock reserved again)
"""

from __future__ import annotations

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
        "pack": Transition(sources={S.PAID, S.CLEARED}, target=S.PACKED),
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
