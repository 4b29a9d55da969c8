"""The page's personal parts, as holes on shared pages (``marketplace.pagecache``).

``{% personal_nav %}`` (cart link + account menu), ``{% flash_messages %}`` and
``{% csp_nonce %}`` write a live slot while a view renders a page for the page cache, and their
content in place everywhere else; the slot is filled per response by
``pagecache.personal_live``, with the same rendering functions.
"""

from django import template
from django.utils.safestring import mark_safe

from marketplace import pagecache

register = template.Library()


def _slot_or_content(context, slot: str, render) -> str:
    """The slot on a shared page, else ``render(request)`` in place."""
    request = context.get("request")
    if request is None:
        return ""
    if pagecache.is_shared(request):
        return pagecache.live_slot(slot)
    return mark_safe(render(request))  # noqa: S308 - our own template output or a nonce


@register.simple_tag(takes_context=True)
def personal_nav(context):
    return _slot_or_content(context, pagecache.NAV_SLOT, pagecache.render_nav)


@register.simple_tag(takes_context=True)
def flash_messages(context):
    return _slot_or_content(context, pagecache.MESSAGES_SLOT, pagecache.render_messages)


@register.simple_tag(takes_context=True)
def csp_nonce(context):
    """This response's CSP nonce, for ``<script nonce="{% csp_nonce %}">``: on a shared page a
    slot, so the cached copy holds no nonce and every response gets its own."""
    return _slot_or_content(context, pagecache.NONCE_SLOT, pagecache.nonce_of)
