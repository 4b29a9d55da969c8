"""The marketing app's outbox handlers.

``marketing.commission_refund`` (written by ``orders.services.paying.refund_enqueue`` with
every refund of an order): the order's frozen distribution commission is reversed in
proportion (``marketing.distribution.ledger.commissions_refund``), once per refund reference,
so a repeated delivery changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from marketplace.outbox import outbox_handler

from .distribution.ledger import commissions_refund


@outbox_handler("marketing.commission_refund")
def commission_refund(payload: dict) -> int:
    return commissions_refund(
        order_id=int(payload["order_id"]),
        reference=payload["reference"],
        amount=Decimal(payload["amount"]),
        order_total=Decimal(payload["order_total"]),
    )
