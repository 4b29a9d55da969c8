"""Checkout and orders (docs/ORDERS.md)."""

from .env import env_int

# How long placing a checkout holds its stock (reservations) for the payment: long enough
# for 3-D Secure. After that ``orders.tasks.checkouts_expire`` releases the units and cancels
# the unpaid orders. There is no operator-editable settings table in the project, so this is
# a deployment setting (environment variable), read when a checkout is placed.
ORDERS_RESERVATION_MINUTES = env_int("ORDERS_RESERVATION_MINUTES", 15)
