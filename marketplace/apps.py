from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    """The shared kernel: currencies, FX rates, the outbox."""

    name = "marketplace"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # The Celery app, so that every task enqueued from this process uses its settings
        # (the package's __init__ stays empty for the standard-library kernel modules).
        from . import celery  # noqa: F401

        # Every app's outbox handlers (``<app>/outbox.py``), found by name like admin.py:
        # web processes check kinds when enqueueing, workers deliver them.
        autodiscover_modules("outbox")
