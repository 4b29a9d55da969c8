from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    """Shipments and tracking. A Django app of its own (label ``fulfilment``) inside the
    ``logistics`` package: its tables reference orders, and ``logistics`` proper (warehouses,
    the shipping network) is below orders, so they cannot share the ``logistics`` app."""

    name = "logistics.fulfilment"
    label = "fulfilment"
    verbose_name = _("Fulfilment and tracking")
