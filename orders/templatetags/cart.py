"""``{% cart_link %}``: the header's link to the cart with its number of lines.

Cheap on every page, signed in or not (it fills a live slot of cached pages): no session cookie,
no cart (0, no read at all); a signed-in shopper's user comes from their cached account menu
(``accounts.menu.menu_of``, no query) and the count from the cache (``cart_count``).
"""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from accounts.menu import menu_of
from orders.selectors import CartOwner, cart_count, cart_count_key
from orders.shoppers import owner_of

register = template.Library()


def _owner(request) -> CartOwner | None:
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return None
    # the user's count is read in the same cache round trip as their menu
    menu = menu_of(request, also=lambda user_id: [cart_count_key(CartOwner(user_id=user_id))])
    return CartOwner(user_id=menu.user_id) if menu is not None else owner_of(request)


@register.simple_tag(takes_context=True)
def cart_link(context):
    request = context.get("request")
    owner = _owner(request) if request is not None else None
    prefetched = getattr(request, "account_prefetched", None)
    count = cart_count(owner, prefetched=prefetched) if owner is not None else 0
    return format_html(
        '<a class="cart-link" href="{}" data-cart-count="{}">{} <span class="cart-count">{}</span></a>',
        reverse("orders:cart"),
        count,
        gettext("Cart"),
        count,
    )
