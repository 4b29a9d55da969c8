"""``{% account_menu %}``: the header's account menu (the signed-in user's name, the seller
portal and back-office links by role, the log-out form; else log in / sign up).

Read through ``accounts.menu.menu_of``: cached per user, so a page costs cache reads and no
query. The log-out form's CSRF token is this response's: the HTML around it is kept per process
for each (menu, language), never with a token in it.
"""

from functools import lru_cache

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from accounts.menu import AccountMenu, menu_of
from marketplace.pagecache import csrf_input

register = template.Library()


@register.simple_tag(takes_context=True)
def account_menu(context):
    request = context.get("request")
    menu = menu_of(request) if request is not None else None
    before, after = _menu_html(menu, get_language() or "")
    if menu is None:
        return mark_safe(before)  # noqa: S308 - our own template output
    return mark_safe(before + csrf_input(request) + after)  # noqa: S308 - as above


_TOKEN = "\x00csrf\x00"


@lru_cache(maxsize=4096)
def _menu_html(menu: AccountMenu | None, language: str) -> tuple[str, str]:
    """The menu's HTML around its log-out form's token, rendered once per process for each
    (menu, language): the menu is a frozen value, so a copy is never stale; the token, this
    response's own, goes in between."""
    html = get_template("includes/account_menu.html").render(
        {"menu": menu, "csrf_input": mark_safe(_TOKEN) if menu else ""}  # noqa: S308
    )
    before, _, after = html.partition(_TOKEN)
    return before, after
