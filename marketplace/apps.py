from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    """The shared kernel: currencies, FX rates, the outbox."""

    name = "marketplace"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # Every app's outbox handlers (``<app>/outbox.py``), found by name like admin.py:
        # web processes check kinds when enqueueing, workers deliver them.
        autodiscover_modules("outbox")
