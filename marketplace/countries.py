"""Countries: the one list of codes, their names in both languages, the validator.

The list is ISO 3166-1 alpha-2 (249 codes), taken from CLDR through Babel (which also gives
the names) minus the territory codes CLDR knows that are not ISO 3166-1 countries:
groupings and pseudo-regions (``EU``, ``EZ``, ``UN``, ``QO``, ``XA``, ``XB``, ``ZZ``) and the
exceptionally reserved codes (``AC`` Ascension, ``CP`` Clipperton, ``CQ`` Sark, ``DG`` Diego
Garcia, ``EA`` Ceuta and Melilla, ``IC`` Canary Islands, ``TA`` Tristan da Cunha).

**Kosovo** (``XK``) is left out too: ``XK`` is a user-assigned code, not an ISO 3166-1 one,
and the countries Silkway declares to (China's customs country table first) have no entry
for it, so an origin or a warehouse "in XK" could not be declared. If a merchant ships from
Kosovo, their goods' origin is declared as the customs authorities require, not as ``XK``.
(docs/ARCHITECTURE.md, "Decisions".)

Tax territories that are not countries (``XI``, Northern Ireland for EU VAT) are customs
data, not countries: ``customs.models`` validates those itself.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .i18n import ZH, page_language

NOT_COUNTRIES = frozenset(
    ("AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ")
)

_LOCALES = {ZH: "zh_Hans_CN", "en": "en_US"}


@lru_cache(maxsize=2)
def _names(language: str) -> dict[str, str]:
    territories = Locale.parse(_LOCALES[language]).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }


def country_codes() -> frozenset[str]:
    """Every country code Silkway accepts (ISO 3166-1 alpha-2, see the module docstring)."""
    return frozenset(_names("en"))


def is_country(code: str) -> bool:
    return code in _names("en")


def country_name(code: str, language: str | None = None) -> str:
    """A country's name in the page language (or ``language``); an unknown code as written."""
    if not code:
        return ""
    return _names(page_language(language)).get(code.upper(), code)


@lru_cache(maxsize=4)
def _choices(language: str, with_code: bool) -> tuple[tuple[str, str], ...]:
    names = _names(language)
    rows = [(code, f"{name} ({code})" if with_code else name) for code, name in names.items()]
    return tuple(sorted(rows, key=lambda row: row[1]))


def country_choices(language: str | None = None, *, with_code: bool = False) -> list:
    """``(code, name)`` for every country, sorted by name in the page language.

    ``with_code`` appends the code to English names ("Japan (JP)"), for forms where sellers
    type or recognise codes; Chinese names stay as they are."""
    language = page_language(language)
    return list(_choices(language, with_code and language != ZH))


@deconstructible
class CountryCodeValidator:
    """A field validator: the value is one of ``country_codes()``."""

    message = _("Use the two-letter ISO 3166-1 code of a country.")
    code = "invalid_country"

    def __call__(self, value) -> None:
        if not is_country(str(value or "")):
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other) -> bool:
        return isinstance(other, CountryCodeValidator)

    def __hash__(self) -> int:
        return hash(CountryCodeValidator)


validate_country = CountryCodeValidator()
