"""What payments tells the layers above (orders), which connect receivers here.

Sent by the outbox handlers of ``payments.outbox``, after the state change committed, **at
least once**: a receiver must be idempotent (it sees the same payment again after a retry).
A receiver that raises makes the outbox retry the message later (``send``, not
``send_robust``), so an order is never left unpaid because its receiver failed once.

- ``payment_succeeded(sender=Payment, payment=...)``: the payment is ``succeeded``.
- ``payment_failed(sender=Payment, payment=...)``: an attempt failed (``failure_code``,
  ``payments.selectors.failure_message``); the payment may still succeed with another card.
- ``refund_succeeded(sender=Refund, refund=...)``: a refund (``refund.reference`` is the
  order number) was made.

Payments sits below orders and cannot call it; signals are the one place where the design's
"no signals between apps" gives way, because the call must point up (docs/PAYMENTS.md).
"""

from django.dispatch import Signal

payment_succeeded = Signal()
payment_failed = Signal()
refund_succeeded = Signal()
