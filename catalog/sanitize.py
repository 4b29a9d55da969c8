"""Sanitising merchant-written HTML (product descriptions) with nh3 (ammonia bindings).

Only formatting tags survive; scripts, event handlers, styles and foreign iframes do not.
Links get ``rel="noopener noreferrer nofollow"``. Images keep their ``src`` only when we serve
them (a relative URL, or one under our own ``SITE_URL`` or an absolute ``MEDIA_URL``): an
image from anywhere else would tell its host who read the page and when (a tracking pixel),
so it loses its ``src`` as a ``javascript:`` one does, and nothing is fetched.
"""

from urllib.parse import urlsplit

import nh3
from django.conf import settings

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "img",
    "span",
    "hr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def served_by_us(url: str) -> bool:
    """Whether a browser asked for ``url`` on one of our pages would ask us, not a third party.

    Browsers drop spaces and control characters and read ``\\`` as ``/`` in a URL, so
    ``/\\tracker.example/p.gif`` is another host (``//tracker.example``): the check reads
    the URL the way they do.
    """
    seen = "".join(ch for ch in url if ch > " ").replace("\\", "/")
    parts = urlsplit(seen)
    if not parts.scheme and not parts.netloc and not seen.startswith("//"):
        return True
    own = [settings.SITE_URL.rstrip("/") + "/"]
    if urlsplit(settings.MEDIA_URL).netloc:
        own.append(settings.MEDIA_URL)
    return any(seen.startswith(prefix) for prefix in own)


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src" and not served_by_us(value):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Return ``html`` with everything but safe formatting removed."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_keep_attribute,
    )
