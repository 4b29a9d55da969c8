"""The share buttons of product and store pages (Weibo, Douban, WeChat's QR code, X,
Facebook, LinkedIn, email), and the hook that makes a signed-in distributor's buttons carry
their own link (docs/MARKETING.md, "Sharing").

The pages are in the whole-page cache, one copy for everyone, so the buttons are a live slot
(``SLOT``) of that copy: ``{% share_buttons %}`` leaves the slot and what fills it (the page's
title and path) in the page's meta, and ``pagecache.personal_live`` fills it on every
response. Nothing in the stored copy names a distributor.

Distribution sits above the kernel, so it registers into this hook from its
``AppConfig.ready`` (``register_referral``), as marketing fills ``catalog.offers``:
``keys(user_id)`` names the cache entries it reads for that user, read in the same round
trip as the visitor's account menu (``pagecache.read_along_user``), and ``code(request)``
returns the signed-in visitor's distributor code, or None. The QR route and the share link
are named by string (``distribution:page_qr``, ``distribution:share``, ``distribution:qr``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

SLOT = "share"
META = "share"  # the page meta's entry: (title, path)
# the page meta's entry: the buttons as everyone but a distributor sees them, rendered with the
# page (the same for every such visitor of that page in that language: the page key has both)
META_HTML = "share_html"

_BRANDS = {"x", "facebook", "linkedin"}


@dataclass(frozen=True)
class ReferralProvider:
    keys: Callable[[int], list[str]]
    code: Callable[..., str | None]


_providers: list[ReferralProvider] = []


def register_referral(*, keys, code) -> None:
    """Add the provider of a visitor's referral code (idempotent: ``ready`` may run twice)."""
    provider = ReferralProvider(keys=keys, code=code)
    if provider not in _providers:
        _providers.append(provider)


def user_keys(user_id: int) -> list[str]:
    """The cache keys the providers read for ``user_id`` (read along with the menu)."""
    return [key for provider in _providers for key in provider.keys(user_id)]


def referral_code(request) -> str | None:
    """The signed-in visitor's distributor code, or None (anonymous, not a distributor)."""
    if request is None:
        return None
    for provider in _providers:
        if code := provider.code(request):
            return code
    return None


def shared_url(path: str, code: str | None) -> str:
    """The address the buttons share: the page at ``SITE_URL`` (never the request's host), or
    the distributor's link that records their click and goes on to the page."""
    if not code:
        return settings.SITE_URL + path
    return (
        settings.SITE_URL
        + reverse("distribution:share", args=[code])
        + "?"
        + urlencode({"next": path})
    )


def qr_src(path: str, code: str | None) -> str:
    """WeChat's QR code: of the page, or of the distributor's link to it."""
    if not code:
        return reverse("distribution:page_qr") + "?" + urlencode({"path": path})
    return reverse("distribution:qr", args=[code]) + "?" + urlencode({"next": path})


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


def buttons_html(title: str, path: str, code: str | None = None) -> str:
    """The share buttons of the page at ``path`` titled ``title``, carrying ``code``'s link
    when the visitor is a distributor."""
    url = shared_url(path, code)
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
    items = format_html_join("", "{}", ((_link(cls, name, href),) for cls, name, href in links))
    wechat = format_html(
        '<details class="share-wechat"><summary>{}</summary><img src="{}" alt="{}" width="160" height="160" loading="lazy"><small>{}</small></details>',
        _("WeChat"),
        qr_src(path, code),
        _("QR code of this page"),
        _("Scan with WeChat to share."),
    )
    return format_html(
        '<nav class="share" aria-label="{}"{}>{}: {}{}</nav>',
        _("Share"),
        format_html(' data-share-code="{}"', code) if code else "",
        _("Share"),
        items,
        wechat,
    )


def share_live(request, meta: dict) -> str:
    """The share slot of a cached page, for this visitor (``meta[META]``: title, path). A
    visitor who is not a distributor gets the buttons rendered with the page
    (``meta[META_HTML]``): rendering them is most of a cached product page's own CPU."""
    code = referral_code(request)
    if code is None and META_HTML in meta:
        return meta[META_HTML]
    title, path = meta.get(META) or ("", "/")
    return buttons_html(title, path, code)
