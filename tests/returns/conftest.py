"""Returns fixtures: the orders' world, and a delivered order of Kiwi Nature."""

from decimal import Decimal

import pytest

from orders.flow import ORDER_FLOW
from orders.models import OrderEvent
from tests.factories import ProductFactory, SKUFactory, StockFactory
from tests.orders.checkout_helpers import place, shopper_with
from tests.orders.conftest import _celery_join_flag, deliver, pay, world  # noqa: F401


@pytest.fixture
def delivered(world, localstripe, pay):  # noqa: F811 - fixtures
    """A delivered order of Kiwi Nature: 3 lip balms and 2 soaps (direct mail, Auckland)."""
    soap = SKUFactory(
        product=ProductFactory(merchant=world.kiwi, name_en="Soap", name_zh_hans="香皂"),
        price=Decimal("25.00"),
        hs_code="3304990099",
        gross_weight_kg=Decimal("0.100"),
        net_weight_kg=Decimal("0.090"),
    )
    StockFactory(sku=soap, warehouse=world.auckland, on_hand=5)
    user, cart = shopper_with((world.balm, 3), (soap, 2))
    checkout = place(user, cart)
    pay(checkout)
    order = checkout.orders.get()
    for move in ("pack", "ship", "deliver"):
        ORDER_FLOW.apply(order, move, by=None, event_model=OrderEvent)
    balm_line = order.lines.get(sku=world.balm)
    soap_line = order.lines.get(sku=soap)
    return user, order, balm_line, soap_line, soap
