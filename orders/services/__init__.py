"""Orders writes, one module per topic; everything is importable from here.

- ``cart``: add, change, remove, merge at log-in;
- ``addresses``: the check of a delivery address, the account's saved addresses;
- ``checkout``: placing a checkout (orders, frozen figures, reservations);
- ``expiry``: releasing what an unpaid checkout held once its reservation runs out;
- ``fulfilment``: what the merchant does with a paid order (accept, mark packed, notes) and
  the shopper's refund requests the merchant or an operator decides.
- ``payment_start``: the checkout's one payment (``checkout_payment``);
- ``paying``: a payment's effect (``checkout_pay``), late payments;
- ``cancel``: cancelling an order before it ships, refunding it (``order_cancel``,
  ``order_refund``).
"""

from .addresses import address_clean, address_delete, address_save
from .cancel import order_cancel, order_quota_restore_cancelled, order_refund
from .cart import (
    MAX_QUANTITY,
    cart_add,
    cart_for_session,
    cart_for_user,
    cart_merge,
    cart_remove,
    cart_set_quantity,
)
from .checkout import checkout_currency, checkout_place, is_china_import
from .expiry import checkouts_expire
from .fulfilment import (
    order_accept,
    order_cancel_by_shopper,
    order_note_set,
    order_refund_by_team,
    refund_request_approve,
    refund_request_create,
    refund_request_decline,
)
from .paying import checkout_pay, checkout_payment_failed
from .payment_start import checkout_payment

__all__ = [
    "MAX_QUANTITY",
    "address_clean",
    "address_delete",
    "address_save",
    "cart_add",
    "cart_for_session",
    "cart_for_user",
    "cart_merge",
    "cart_remove",
    "cart_set_quantity",
    "checkout_currency",
    "checkout_pay",
    "checkout_payment",
    "checkout_payment_failed",
    "checkout_place",
    "checkouts_expire",
    "is_china_import",
    "order_accept",
    "order_cancel_by_shopper",
    "order_note_set",
    "order_refund_by_team",
    "refund_request_approve",
    "refund_request_create",
    "refund_request_decline",
    "order_cancel",
    "order_quota_restore_cancelled",
    "order_refund",
]
