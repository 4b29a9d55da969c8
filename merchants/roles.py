"""What each staff role may do in the seller portal and seller API: one table."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Staff")


class Capability(models.TextChoices):
    VIEW = "view", _("View the merchant's data")
    MANAGE_CATALOG = "manage_catalog", _("Edit products and stock")
    MANAGE_ORDERS = "manage_orders", _("Fulfil orders")
    MANAGE_TEAM = "manage_team", _("Invite and manage staff")
    MANAGE_PAYOUT = "manage_payout", _("Change payout details")


CAPABILITIES: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(Capability.values),
    Role.MANAGER: frozenset({Capability.VIEW, Capability.MANAGE_CATALOG, Capability.MANAGE_ORDERS}),
    Role.STAFF: frozenset({Capability.VIEW, Capability.MANAGE_CATALOG, Capability.MANAGE_ORDERS}),
}


def role_can(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())
