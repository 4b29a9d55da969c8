"""Digits mean ASCII 0-9, everywhere.

Python's ``\\d``, ``str.isdigit()`` and ``int()`` also accept full-width (``３``), Arabic-Indic
(``٣``) and other Unicode digits, and the customs data Silkway sends (HS codes, customs
units, office codes, identity numbers) allows only ASCII. So a digit rule in this project
is written with ``[0-9]`` (``DIGIT``) in patterns and ``is_ascii_digits`` / ``ascii_int`` in
code, never ``\\d``, ``isdigit()`` or a bare ``int()`` on input: a check that accepts other
digits lets input through that a later step refuses (the duty quote answered 500 for a
full-width HS code). ``tests/marketplace/test_digits.py`` greps the project for them.
"""

from __future__ import annotations

#: one ASCII digit, for patterns: ``rf"^{DIGIT}{{4}}$"``
DIGIT = "[0-9]"
#: URL converters and DRF ``lookup_value_regex``: an id of ASCII digits
ID_PATTERN = rf"{DIGIT}+"


def is_ascii_digits(value: str) -> bool:
    """``True`` for a non-empty string of ASCII digits only."""
    return bool(value) and value.isascii() and value.isdigit()


def ascii_int(value) -> int | None:
    """``int(value)`` for a string of ASCII digits (an optional leading ``-``), else ``None``."""
    text = str(value).strip()
    body = text[1:] if text.startswith("-") else text
    return int(text) if is_ascii_digits(body) else None


def has_foreign_digits(value: str) -> bool:
    """``True`` if ``value`` holds a digit that is not ASCII 0-9 (``３``, ``٣``, ``²``)."""
    return any(ch.isdigit() and not ch.isascii() for ch in value)
