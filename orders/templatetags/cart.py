"""``{% cart_link %}``: the header's link to the cart with its number of lines.

A request without a session (every page the page cache serves) has no cart: 0, and no query.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from orders.selectors import cart_count
from orders.shoppers import owner_of

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_link(context):
    request = context.get("request")
    count = cart_count(owner_of(request)) if request is not None else 0
    return format_html(
        '<a class="cart-link" href="{}" data-cart-count="{}">{} <span class="cart-count">{}</span></a>',
        reverse("orders:cart"),
        count,
        gettext("Cart"),
        count,
    )
