from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    """Returns after delivery (docs/LOGISTICS.md, "Returns"). A Django app of its own (label
    ``returns``) inside ``logistics``, one layer above operations: a return reads orders,
    calls the stock services and the refund service, and declares the customs return
    through the declarations machinery."""

    name = "logistics.returns"
    label = "returns"
    verbose_name = _("Returns")
