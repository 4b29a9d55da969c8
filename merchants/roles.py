"""What each staff role may do in the seller portal and seller API: one table."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Staff")
    # O2O: the people behind a shop's counter see only the offline stores they are assigned
    # to (their page, figures, QR codes and poster), nothing else of the merchant
    STORE_STAFF = "store_staff", _("Store staff")


class Capability(models.TextChoices):
    VIEW = "view", _("View the merchant's data")
    MANAGE_CATALOG = "manage_catalog", _("Edit products and stock")
    MANAGE_ORDERS = "manage_orders", _("Fulfil orders")
    MANAGE_TEAM = "manage_team", _("Invite and manage staff")
    MANAGE_PAYOUT = "manage_payout", _("Change payout details")
    # the offline stores' pages: every store with ``view``, only one's assigned stores without
    VIEW_STORES = "view_stores", _("See offline stores")


CAPABILITIES: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(Capability.values),
    Role.MANAGER: frozenset(
        {
            Capability.VIEW,
            Capability.VIEW_STORES,
            Capability.MANAGE_CATALOG,
            Capability.MANAGE_ORDERS,
        }
    ),
    Role.STAFF: frozenset(
        {
            Capability.VIEW,
            Capability.VIEW_STORES,
            Capability.MANAGE_CATALOG,
            Capability.MANAGE_ORDERS,
        }
    ),
    Role.STORE_STAFF: frozenset({Capability.VIEW_STORES}),
}


def role_can(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())
