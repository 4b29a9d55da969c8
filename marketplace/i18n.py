"""The page language, and picking a bilingual value in it.

Silkway speaks two languages (``settings.LANGUAGES``: ``zh-hans`` and ``en``). Content that
people write comes in both (modeltranslation fields, or plain ``*_en`` / ``*_zh_hans`` pairs
copied into cached reads); these helpers are the one place that decides which one a page
shows, and what it falls back to when that one is empty.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, override

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


def url_in_language(url: str, language: str) -> str:
    """``url`` (a path on this site, with its query string) as the same page in ``language``.

    The path is resolved under the language its own prefix names (``/zh-hans/p/57/`` as
    Chinese), not the active one: Django's ``translate_url`` resolves under the active
    language, and ``i18n_patterns`` only matches the active language's prefix, so an English
    request asking for ``/zh-hans/p/57/`` in English got ``/zh-hans/p/57/`` back (the switch
    that stayed on the Chinese page). A path that resolves to no page (a 404) keeps its place
    with the prefix swapped; an unprefixed path stays as it is (the locale middleware sends
    it to the language of the cookie). The query string and fragment are kept, and a local
    ``next`` in it (the log-in pages') is moved to ``language`` too.
    """
    parts = urlsplit(url)
    source = _path_language(parts.path)
    path = parts.path
    if source and source != language:
        with override(source):
            path = translate_url(path, language)
        if path == parts.path:
            path = f"/{language}{parts.path[len(source) + 1 :]}"
    return urlunsplit(
        (parts.scheme, parts.netloc, path, _next_in_language(parts.query, language), parts.fragment)
    )


def _next_in_language(query: str, language: str) -> str:
    if "next=" not in query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    moved = [
        (
            key,
            url_in_language(value, language) if key == "next" and _is_local_path(value) else value,
        )
        for key, value in pairs
    ]
    return urlencode(moved) if moved != pairs else query


def _is_local_path(value: str) -> bool:
    return value.startswith("/") and not value.startswith(("//", "/\\"))


def _path_language(path: str) -> str | None:
    """The language a page path's prefix names (``/zh-hans/…``), or None."""
    head = path.split("/", 2)[1] if path.startswith("/") else ""
    return head if head in dict(settings.LANGUAGES) else None
