"""Template helpers of the merchants pages."""

from django import template

from marketplace import countries
from marketplace.clearance import SKU_MODES
from marketplace.clearance_labels import mode_label

register = template.Library()


@register.filter
def can(membership, capability: str) -> bool:
    """``{% if membership|can:"manage_payout" %}``: the roles table decides, nobody else."""
    return bool(membership) and membership.can(capability)


@register.filter
def country_name(code: str) -> str:
    """The country's name in the page's language (``NZ`` → 新西兰 / New Zealand)."""
    return countries.country_name(code)


@register.filter
def trade_mode_labels(values) -> list[str]:
    return [mode_label(v) for v in values or [] if v in SKU_MODES]
