"""Sharing in templates: ``{% share_meta title description image %}`` writes the Open Graph
and Twitter card tags of a page, ``{% share_buttons title %}`` the share links (Weibo,
Douban, WeChat as a QR code to scan, X, Facebook, LinkedIn, email).

Nothing here is personal: the page's address is ``SITE_URL`` + its path (never the request's
host, so a cached page is the same for everyone), so product and store pages keep their place
in the whole-page cache. The WeChat QR code is the storefront's page-QR route (named by string,
``distribution:page_qr``; the kernel imports no app).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

_LOCALES = {"zh-hans": "zh_CN", "en": "en_US"}
_BRANDS = {"x", "facebook", "linkedin"}


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


def _link(cls: str, name, href: str):
    # Networks whose names are brands stay as they are in every language (translate="no").
    if cls in _BRANDS:
        return format_html(
            '<a class="share-{}" href="{}" target="_blank" rel="noopener noreferrer" '
            'translate="no">{}</a> ',
            cls,
            href,
            name,
        )
    return format_html(
        '<a class="share-{}" href="{}" target="_blank" rel="noopener noreferrer">{}</a> ',
        cls,
        href,
        name,
    )


@register.simple_tag(takes_context=True)
def share_buttons(context, title):
    url = _page_url(context)
    text = str(title)
    links = [
        (
            "weibo",
            _("Weibo"),
            "https://service.weibo.com/share/share.php?" + urlencode({"url": url, "title": text}),
        ),
        (
            "douban",
            _("Douban"),
            "https://www.douban.com/share/service?" + urlencode({"href": url, "name": text}),
        ),
        ("x", "X", "https://twitter.com/intent/tweet?" + urlencode({"url": url, "text": text})),
        (
            "facebook",
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        ),
        (
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ),
        ("email", _("Email"), f"mailto:?subject={quote(text)}&body={quote(url)}"),
    ]
    request = context.get("request")
    qr = (
        reverse("distribution:page_qr")
        + "?"
        + urlencode({"path": request.path if request else "/"})
    )
    items = format_html_join("", "{}", ((_link(cls, name, href),) for cls, name, href in links))
    wechat = format_html(
        '<details class="share-wechat"><summary>{}</summary><img src="{}" alt="{}" width="160" height="160" loading="lazy"><small>{}</small></details>',
        _("WeChat"),
        qr,
        _("QR code of this page"),
        _("Scan with WeChat to share."),
    )
    return format_html(
        '<nav class="share" aria-label="{}">{}: {}{}</nav>',
        _("Share"),
        _("Share"),
        items,
        wechat,
    )
