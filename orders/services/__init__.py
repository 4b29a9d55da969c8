"""Orders writes, one module per topic; everything is importable from here.

- ``cart``: the shopper's cart (add, change, remove, merge at log-in);
- ``fulfilment``: what the merchant does with a paid order (accept, mark packed, notes) and
  the shopper's refund requests the merchant or an operator decides.
"""

from .cart import (
    MAX_QUANTITY,
    cart_add,
    cart_for_session,
    cart_for_user,
    cart_merge,
    cart_remove,
    cart_set_quantity,
)
from .fulfilment import (
    order_accept,
    order_note_set,
    order_pack,
    refund_request_create,
    refund_request_decline,
)

__all__ = [
    "MAX_QUANTITY",
    "cart_add",
    "cart_for_session",
    "cart_for_user",
    "cart_merge",
    "cart_remove",
    "cart_set_quantity",
    "order_accept",
    "order_note_set",
    "order_pack",
    "refund_request_create",
    "refund_request_decline",
]
