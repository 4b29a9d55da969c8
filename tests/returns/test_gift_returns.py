"""A free gift (满赠) cannot be put in a return: refused with its reason, and the return
form does not offer it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from logistics.returns.services import return_request_create, returnable_lines
from orders.flow import ORDER_FLOW
from orders.models import OrderEvent
from tests.factories import ProductFactory, SKUFactory, StockFactory
from tests.orders.checkout_helpers import place, shopper_with
from tests.orders.test_checkout_gifts import gift_for

pytestmark = pytest.mark.django_db


def test_a_gift_line_cannot_be_returned(world, localstripe, pay):
    sample = SKUFactory(
        product=ProductFactory(merchant=world.kiwi, name_en="Balm sample"),
        price=Decimal("9.00"),
        hs_code="3304990099",
    )
    StockFactory(sku=sample, warehouse=world.auckland, on_hand=3)
    gift_for(world, sample, threshold="100")
    user, cart = shopper_with((world.balm, 3))  # 117, direct mail from Auckland
    checkout = place(user, cart)
    pay(checkout)
    order = checkout.orders.get()
    for move in ("pack", "ship", "deliver"):
        ORDER_FLOW.apply(order, move, by=None, event_model=OrderEvent)
    gift = order.lines.get(is_gift=True)
    balm = order.lines.get(is_gift=False)
    assert {line.pk: left for line, left in returnable_lines(order)} == {
        balm.pk: 3,
        gift.pk: 0,
    }
    with pytest.raises(ValidationError) as refused:
        return_request_create(order=order, by=user, lines={gift.pk: 1}, reason="不想要")
    assert [e.code for e in refused.value.error_dict["lines"]] == ["return_gift_line"]
    assert "cannot be returned" in refused.value.messages[0]
    request = return_request_create(order=order, by=user, lines={balm.pk: 1}, reason="破损")
    assert list(request.lines.values_list("order_line_id", flat=True)) == [balm.pk]
