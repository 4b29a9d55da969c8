"""The order lifecycle table (orders/flow.py): which moves are open from where."""

import pytest

from orders.flow import ORDER_FLOW
from orders.models import Order

S = Order.Status


@pytest.mark.parametrize(
    ("state", "open_moves"),
    [
        (S.AWAITING_PAYMENT, {"pay", "cancel"}),
        (S.PAID, {"declare", "pack", "cancel"}),
        (S.DECLARED, {"clear", "reject_customs", "cancel"}),
        (S.CLEARED, {"pack", "cancel"}),
        (S.CUSTOMS_REJECTED, {"cancel"}),
        (S.PACKED, {"ship", "cancel"}),
        (S.SHIPPED, {"deliver", "refund"}),
        (S.DELIVERED, {"complete", "refund"}),
        (S.COMPLETED, {"refund"}),
        (S.CANCELLED, {"pay_late"}),
        (S.REFUNDED, set()),
    ],
)
def test_moves_open_from_each_state(state, open_moves):
    assert set(ORDER_FLOW.allowed(state)) == open_moves


def test_every_state_is_reachable_and_every_target_is_a_state():
    targets = {t.target for t in ORDER_FLOW.transitions.values()}
    assert targets | {S.AWAITING_PAYMENT} == set(S.values)
