"""Money in templates: ``{% price amount currency %}`` shows an amount in the shopper's display
currency (with the listing-currency amount as secondary text when they differ) and
``{% money amount currency %}`` formats an amount as it is. Both are locale aware (Babel).

The display currency and the rates come from the request (``marketplace.currency``); the rates
are read once per render from the cached FX table.
"""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from marketplace.currency import display_currency, money_text, price_in, rates_for_display

register = template.Library()

_RATES = "silkway_fx_rates"


def _rates(context) -> dict[str, Decimal]:
    store = context.render_context
    if _RATES not in store:
        store[_RATES] = context.get("fx_rates") or rates_for_display()
    return store[_RATES]


def _display(context) -> str:
    code = context.get("display_currency")
    if code:
        return code
    request = context.get("request")
    return display_currency(request) if request is not None else "CNY"


def price_html(amount, currency: str, *, display: str, rates, language: str) -> str:
    """HTML for a price: display-currency amount, then the listing amount when it differs."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(amount)
    listing = money_text(amount, currency, language)
    shown = price_in(amount, currency, display=display, rates=rates)
    if shown is None or shown.currency == currency:
        return format_html('<span class="money">{}</span>', listing)
    return format_html(
        '<span class="money">{}</span> <small class="money listing-price">{}</small>',
        money_text(shown.amount, shown.currency, language),
        listing,
    )


@register.simple_tag(takes_context=True)
def price(context, amount, currency):
    """``{% price sku.price product.listing_currency %}``"""
    return price_html(
        amount,
        currency,
        display=_display(context),
        rates=_rates(context),
        language=get_language() or "en",
    )


@register.simple_tag
def money(amount, currency):
    """``{% money amount "CNY" %}``: the amount as it is, formatted for the current language."""
    if amount is None or amount == "":
        return ""
    return format_html(
        '<span class="money">{}</span>', money_text(Decimal(amount), currency, get_language())
    )
