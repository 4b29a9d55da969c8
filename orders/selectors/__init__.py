"""Orders reads, one module per topic; everything is importable from here.

- ``addresses``: the account's saved addresses;
- ``cart``: whose cart a request has, each line against the catalog now, the split's facts;
- ``orders``: orders for a shopper, a merchant and operators, one order's page with its
  lines, allocations, events, refund requests and duties.
"""

from .addresses import address_default, address_of, addresses_of
from .cart import (
    COUNT_TTL,
    DEFAULT_DESTINATION,
    CartOwner,
    CartView,
    LineView,
    Offer,
    Problem,
    cart_count,
    cart_count_forget,
    cart_count_key,
    cart_lines,
    cart_of,
    cart_view,
    checkout_of,
    offer_for,
    offers_for,
    places_for,
    problem_text,
    sku_rows,
    stock_ids_for,
)
from .orders import (
    DutiesView,
    OrderDetail,
    OrderFilters,
    duties_view,
    event_label,
    order_detail,
    order_for_merchant,
    order_for_shopper,
    orders_for_merchant,
    orders_for_operator,
    orders_for_shopper,
    promotion_costs,
)

__all__ = [
    "address_default",
    "address_of",
    "addresses_of",
    "COUNT_TTL",
    "DEFAULT_DESTINATION",
    "CartOwner",
    "CartView",
    "DutiesView",
    "LineView",
    "Offer",
    "OrderDetail",
    "OrderFilters",
    "Problem",
    "cart_count",
    "cart_count_forget",
    "cart_count_key",
    "cart_lines",
    "cart_of",
    "checkout_of",
    "cart_view",
    "duties_view",
    "event_label",
    "offer_for",
    "offers_for",
    "promotion_costs",
    "order_detail",
    "order_for_merchant",
    "order_for_shopper",
    "orders_for_merchant",
    "orders_for_operator",
    "orders_for_shopper",
    "places_for",
    "problem_text",
    "sku_rows",
    "stock_ids_for",
]
