"""Orders: cart, checkout, order split, the order state machine, payments, refunds, returns."""
