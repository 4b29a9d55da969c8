"""The page language, and picking a bilingual value in it.

Silkway speaks two languages (``settings.LANGUAGES``: ``zh-hans`` and ``en``). Content that
people write comes in both (modeltranslation fields, or plain ``*_en`` / ``*_zh_hans`` pairs
copied into cached reads); these helpers are the one place that decides which one a page
shows, and what it falls back to when that one is empty.
"""

from __future__ import annotations

from django.utils.translation import get_language

ZH = "zh-hans"
EN = "en"


def page_language(language: str | None = None) -> str:
    """``zh-hans`` or ``en``: the active language (or ``language``), any Chinese variant
    (``zh``, ``zh-cn``, ``zh_Hans``) read as ``zh-hans``, anything else as ``en``."""
    code = (language if language is not None else get_language()) or ""
    return ZH if code.lower().startswith("zh") else EN


def pick(en: str, zh: str, language: str | None = None) -> str:
    """A bilingual value in the page language, falling back to the other language."""
    if page_language(language) == ZH:
        return zh or en
    return en or zh
