"""Template helpers of the merchants pages."""

from django import template
from django.utils.translation import get_language

from catalog.models import TradeMode

register = template.Library()


@register.filter
def can(membership, capability: str) -> bool:
    """``{% if membership|can:"manage_payout" %}``: the roles table decides, nobody else."""
    return bool(membership) and membership.can(capability)


@register.filter
def country_name(code: str) -> str:
    """The country's name in the page's language (``NZ`` → 新西兰 / New Zealand)."""
    from merchants.forms import _countries

    names = dict(_countries(get_language() or "en"))
    return names.get((code or "").upper(), code)


@register.filter
def trade_mode_labels(values) -> list[str]:
    return [str(TradeMode(v).label) for v in values or [] if v in TradeMode.values]
