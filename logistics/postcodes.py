"""Postal codes: the format of each country's where this table has it (the destinations the
seeded shipping network serves), with the example the address form shows.

``orders.services.address_clean`` checks a postal code against it when one is given; a
country not in the table takes free text. China's codes also name their province
(``logistics.shipping.regions.province_from_postal_code``).
"""

from __future__ import annotations

import re

from marketplace.digits import DIGIT

# country -> (pattern, example). Letters are matched upper-cased, spaces normalised to one.
POSTCODE_FORMATS: dict[str, tuple[str, str]] = {
    "CN": (rf"{DIGIT}{{6}}", "310000"),
    "US": (rf"{DIGIT}{{5}}(-{DIGIT}{{4}})?", "94105"),
    "CA": (r"[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9]", "K1A 0B1"),
    "GB": (r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", "SW1A 1AA"),
    "FR": (rf"{DIGIT}{{5}}", "75001"),
    "DE": (rf"{DIGIT}{{5}}", "10115"),
    "IT": (rf"{DIGIT}{{5}}", "00118"),
    "ES": (rf"{DIGIT}{{5}}", "28001"),
    "NL": (r"[0-9]{4} ?[A-Z]{2}", "1012 AB"),
    "BE": (rf"{DIGIT}{{4}}", "1000"),
    "AT": (rf"{DIGIT}{{4}}", "1010"),
    "IE": (r"[A-Z][0-9][0-9W] ?[A-Z0-9]{4}", "D02 X285"),
    "PL": (rf"{DIGIT}{{2}}-{DIGIT}{{3}}", "00-001"),
    "SE": (rf"{DIGIT}{{3}} ?{DIGIT}{{2}}", "111 22"),
    "JP": (rf"{DIGIT}{{3}}-?{DIGIT}{{4}}", "100-0001"),
    "KR": (rf"{DIGIT}{{5}}", "03187"),
    "AU": (rf"{DIGIT}{{4}}", "2000"),
    "NZ": (rf"{DIGIT}{{4}}", "1010"),
    "SG": (rf"{DIGIT}{{6}}", "018956"),
}


def postcode_normalise(value: str) -> str:
    return " ".join((value or "").upper().split())


def postcode_example(country: str) -> str:
    """An example code of ``country`` for the form ("" when the table has none)."""
    return POSTCODE_FORMATS.get(country, ("", ""))[1]


def postcode_valid(country: str, value: str) -> bool:
    """Whether ``value`` (normalised) follows ``country``'s format; True where none is known."""
    known = POSTCODE_FORMATS.get(country)
    return known is None or re.fullmatch(known[0], value) is not None
