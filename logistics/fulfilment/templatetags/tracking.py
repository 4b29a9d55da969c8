"""``{% load tracking %}{% order_tracking order %}``: an order's tracking timeline, for the
order page (which lives in ``orders``, below this app: a template loading a tag library is
no import)."""

from django import template

from ..selectors import order_tracking as tracking_of

register = template.Library()


@register.inclusion_tag("fulfilment/_timeline.html")
def order_tracking(order):
    return {"tracking": tracking_of(order)}
