"""Opening declarations when an order is paid, inside the payment's transaction.

The checkout moves each order with ``ORDER_FLOW.apply(order, "pay", …)``, which writes an
``OrderEvent`` in the transaction that pays; this receiver of that row's ``post_save`` opens
the order's declaration in the same transaction (orders, below this layer, need not know
declarations exist). ``declarations_open`` is idempotent, so a checkout that also calls it
directly changes nothing.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from orders.models import OrderEvent

from .services import declarations_open


@receiver(post_save, sender=OrderEvent, dispatch_uid="declarations.open_on_pay")
def open_declarations_on_pay(sender, instance: OrderEvent, created: bool, **kwargs) -> None:
    if created and instance.transition == "pay":
        declarations_open(instance.subject)
