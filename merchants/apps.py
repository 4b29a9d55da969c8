from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = _("Merchants")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from merchants.models import Membership

        # the header's seller-portal link is cached per user (accounts.menu)
        post_save.connect(_membership_changed, sender=Membership, dispatch_uid="merchants.menu")
        post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="merchants.menu")


def _membership_changed(sender, instance, **kwargs) -> None:
    from accounts.menu import menu_forget

    menu_forget(instance.user_id)
