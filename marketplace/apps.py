from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    """The shared kernel: currencies and FX rates live here."""

    name = "marketplace"
    verbose_name = _("Platform")
