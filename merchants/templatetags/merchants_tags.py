"""Template helpers of the merchants pages."""

from django import template

from catalog.models import TradeMode
from marketplace import countries

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
    return [str(TradeMode(v).label) for v in values or [] if v in TradeMode.values]
