"""Opening declarations when an order is paid, inside the payment's transaction; and, when
it is delivered, writing its signed-for CEB513 on the outbox (``delivery.py``).

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

from .delivery import signed_for_enqueue
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


@receiver(post_save, sender=OrderEvent, dispatch_uid="declarations.signed_for_on_deliver")
def signed_for_on_deliver(sender, instance: OrderEvent, created: bool, **kwargs) -> None:
    """The order was delivered (its last parcel): its CEB513 goes out once that commits."""
    if created and instance.transition == "deliver":
        signed_for_enqueue(order_id=instance.subject_id, delivered_at=instance.created_at)
