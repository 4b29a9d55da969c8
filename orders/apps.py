"""Orders: cart, checkout, order split, the order state machine, payments, refunds, returns."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from orders import signals  # noqa: F401 - connects the log-in merge and the payments
