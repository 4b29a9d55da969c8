"""The declarations' outbox handlers (written by the services in the transaction that
decides, delivered by a worker on the ``customs`` queue).

- ``declarations.send``: seal and send a batch of pending documents (idempotent: a document
  that is no longer pending is not sent again). Transport outages are retried with
  exponential backoff from ``DECLARATIONS_RETRY_SECONDS`` and 50 % jitter.
- ``orders.cancel_released``: a paid order cancelled after customs released its list (a
  cleared bonded order) — declare the list's CEB623 cancellation (``cancelled_order_declare``).
- ``declarations.cancelled``: customs accepted a CEB623 (CEB624 399) — give the buyer's
  yearly quota back, once (``cancelled_quota_restore``).
- ``declarations.customs_rejected``: customs refused the order — cancel it through the
  checkout's ``order_cancel``, which refunds the shopper and releases the stock.
"""

from __future__ import annotations

from django.conf import settings

from marketplace.outbox import outbox_handler
from orders.services.cancel import CANCEL_RELEASED

from . import realtime, services


@outbox_handler(
    services.SEND,
    queue="customs",
    max_attempts=settings.DECLARATIONS_SEND_MAX_ATTEMPTS,
    backoff_seconds=settings.DECLARATIONS_RETRY_SECONDS,
    jitter=0.5,
)
def send_declarations(payload: dict) -> int:
    return services.declarations_send(
        declaration_id=payload.get("declaration_id"), file_id=payload.get("file_id")
    )


@outbox_handler(services.CUSTOMS_REJECTED, queue="customs")
def settle_customs_rejection(payload: dict) -> bool:
    return services.customs_rejection_settle(order_id=payload["order_id"], reason=payload["reason"])


@outbox_handler(CANCEL_RELEASED, queue="customs")
def declare_cancel_of_released(payload: dict) -> bool:
    return (
        services.cancelled_order_declare(order_id=payload["order_id"], reason=payload["reason"])
        is not None
    )


@outbox_handler(services.CANCELLED, queue="customs")
def restore_quota_on_customs_cancel(payload: dict) -> bool:
    return services.cancelled_quota_restore(declaration_id=payload["declaration_id"])


@outbox_handler(realtime.UPLOAD, queue="customs", backoff_seconds=2, jitter=0.5)
def upload_realtime_data(payload: dict) -> str:
    return realtime.realtime_upload(session_id=payload["session"])
