"""Demo: declare the demo's paid cross-border orders that are not declared yet (orders paid
through the checkout are declared when paid; this catches any the demo made otherwise).
Idempotent. The sends go once the gateway simulator that ``make run`` starts is up: the
``declarations_worker`` it runs beside it sweeps them out, then applies the receipts."""

from __future__ import annotations

from marketplace.demo import DemoStep
from orders.models import Order

from .models import OrderDeclaration
from .services import DECLARED_MODES, declarations_open


def seed_declarations_demo() -> None:
    declared = OrderDeclaration.objects.values("order_id")
    paid = Order.objects.filter(
        status=Order.Status.PAID, clearance_mode__in=DECLARED_MODES
    ).exclude(pk__in=declared)
    for order in paid.select_related("checkout", "merchant"):
        declarations_open(order)


DEMO_STEPS = [
    DemoStep(
        "declarations.paid_orders", lambda demo: seed_declarations_demo(), after=("customs.rates",)
    )
]
