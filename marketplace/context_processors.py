"""Template context shared by every page."""

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language

from .currency import currencies_displayable, currency_label, display_currency


def silkway(request):
    path = request.get_full_path()
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        links.append(
            {
                "code": code,
                "label": {"zh-hans": "中文", "en": "English"}.get(code, code),
                "url": reverse("switch_language", args=[code]) + "?" + urlencode({"next": path}),
                "active": code == current,
            }
        )
    return {"language_links": links, **_currency_context(request, path, current)}


def _currency_context(request, path: str, language: str) -> dict:
    shown = display_currency(request)
    # one reverse for all links: the code is the only part that changes
    pattern = reverse("switch_currency", args=["XXX"])
    query = "?" + urlencode({"next": path})
    return {
        "display_currency": shown,
        "display_currency_label": currency_label(shown, language),
        "currency_links": [
            {
                "code": code,
                "label": currency_label(code, language),
                "url": pattern.replace("XXX", code) + query,
                "active": code == shown,
            }
            for code in currencies_displayable()
        ],
    }
