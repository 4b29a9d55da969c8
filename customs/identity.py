"""The buyer's identity number (居民身份证号码) that China cross-border imports are declared with.

The number is the key of the yearly quota ledger, so it is checked before anything is
recorded: 17 digits and a check character (a digit or X) computed with ISO 7064 MOD 11-2, as
GB 11643-1999 defines it. A typo is then refused at checkout instead of opening a second
ledger with a fresh 26,000 CNY allowance.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from marketplace.digits import is_ascii_digits

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def normalise_id_number(value: str) -> str:
    """Upper case, without spaces: the form the number is stored and digested in."""
    return "".join(str(value).split()).upper()


def id_check_character(first17: str) -> str:
    """The check character of the first 17 digits of an identity number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def is_valid_id_number(value: str) -> bool:
    """Whether ``value`` (already normalised) is a well-formed 18-character identity number."""
    return (
        len(value) == 18
        and is_ascii_digits(value[:17])
        and (is_ascii_digits(value[17]) or value[17] == "X")
        and id_check_character(value[:17]) == value[17]
    )


def validate_id_number(value: str) -> str:
    """Return the normalised number, or raise ValidationError saying what is wrong with it."""
    number = normalise_id_number(value)
    if not is_valid_id_number(number):
        raise ValidationError(
            _(
                "Enter the 18-character identity number (17 digits and a final digit or X) "
                "exactly as it is on the identity card."
            ),
            code="invalid_id_number",
        )
    return number
