from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "customs.declarations"
    label = "declarations"
    verbose_name = _("Customs declarations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import delivery, manifests, outbox, receivers, records  # noqa: F401 - handlers, receivers
