"""Opening declarations when an order is paid, inside the payment's transaction.

The checkout moves each order with ``ORDER_FLOW.apply(order, "pay", …)``, which writes an
``OrderEvent`` in the transaction that pays; this receiver of that row's ``post_save`` opens
the order's declaration in the same transaction (orders, below this layer, need not know
declarations exist). ``declarations_open`` is idempotent, so a checkout that also calls it
directly changes nothing.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from orders.models import OrderEvent

from .services import declarations_open

log = logging.getLogger(__name__)


@receiver(post_save, sender=OrderEvent, dispatch_uid="declarations.open_on_pay")
def open_declarations_on_pay(sender, instance: OrderEvent, created: bool, **kwargs) -> None:
    """A declaration that cannot be opened never fails the payment: its savepoint is rolled
    back, the error logged, and the sweeper (``declarations_sweep``) opens it later."""
    if not (created and instance.transition == "pay"):
        return
    try:
        with transaction.atomic():
            declarations_open(instance.subject)
    except Exception:  # noqa: BLE001 - the payment must commit; the sweeper retries
        log.exception("order %s: declaration not opened, the sweeper will", instance.subject_id)
