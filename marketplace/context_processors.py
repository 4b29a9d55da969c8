"""Template context shared by every page."""

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language


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
    return {"language_links": links}
