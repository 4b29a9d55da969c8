"""Sharing in templates: ``{% share_meta title description image %}`` writes the Open Graph
and Twitter card tags of a page, ``{% share_buttons title %}`` the share links (Weibo,
Douban, WeChat as a QR code to scan, X, Facebook, LinkedIn, email).

The page's address is ``SITE_URL`` + its path (never the request's host, so a cached page is
the same for everyone). The buttons are ``marketplace.sharing``'s: on a cached page a live slot
that a signed-in distributor sees filled with their own link; the stored copy names nobody.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.html import format_html_join, strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from marketplace import pagecache, sharing

register = template.Library()

_LOCALES = {"zh-hans": "zh_CN", "en": "en_US"}


def _page_url(context) -> str:
    request = context.get("request")
    return settings.SITE_URL + (request.path if request is not None else "/")


def _absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


@register.simple_tag(takes_context=True)
def share_meta(context, title, description="", image="", kind="product"):
    description = Truncator(strip_tags(description or "")).chars(200)
    image = _absolute(image)
    pairs = [
        ("property", "og:type", kind),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", _page_url(context)),
        ("property", "og:site_name", _("Silkway")),
        ("property", "og:locale", _LOCALES.get(get_language() or "", "en_US")),
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    if image:
        pairs += [("property", "og:image", image), ("name", "twitter:image", image)]
    return format_html_join(
        "\n", '<meta {}="{}" content="{}">', ((a, n, v) for a, n, v in pairs if v)
    )


@register.simple_tag(takes_context=True)
def share_buttons(context, title):
    """The share buttons (``marketplace.sharing``). On a page rendered for the page cache they
    are a live slot, filled per response with the visitor's own link when they are a
    distributor, so the stored copy holds no one's code; elsewhere they render in place."""
    request = context.get("request")
    path = request.path if request is not None else "/"
    if request is not None and pagecache.is_shared(request):
        meta = pagecache.slot_meta(request)
        meta[sharing.META] = (str(title), path)
        meta[sharing.META_HTML] = sharing.buttons_html(str(title), path)
        return pagecache.live_slot(sharing.SLOT)
    return sharing.buttons_html(str(title), path, sharing.referral_code(request))
