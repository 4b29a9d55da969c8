"""Delivery addresses: the fields a country's address has and the rules they follow.

One place for the rules, used by the checkout form (``orders.checkout_forms``) and open to
any service that takes an address dict (``{"name", "phone", "country", "province", "city",
"district", "lines", "postcode"}``):

- **China**: province (ISO 3166-2, ``CN-ZJ``), city and district are required; the phone is
  an 11-digit mainland mobile number (``1`` then 10 digits: couriers text the recipient);
  the postal code is optional, six digits, and when given must belong to the province (its
  first two digits, ``province_from_postal_code``).
- **Elsewhere**: city required, no province list; the postal code follows the country's format
  where this table has it (``POSTCODE_FORMATS``, the destinations the demo and the seeded
  shipping network serve), is required there, and is free text (optional) elsewhere.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from logistics.shipping.regions import CN_PROVINCES, province_from_postal_code
from marketplace.countries import is_country
from marketplace.digits import DIGIT

CHINA = "CN"

# country -> (pattern, example shown to the shopper). Letters are matched upper-cased.
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

CN_MOBILE = re.compile(rf"^1{DIGIT}{{10}}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,22}$")


def postcode_example(country: str) -> str:
    return POSTCODE_FORMATS.get(country, ("", ""))[1]


def normalise_postcode(country: str, value: str) -> str:
    return " ".join((value or "").upper().split())


def address_errors(address: dict) -> ValidationError | None:
    """What is wrong with ``address`` (field -> messages, a code per rule), or None."""
    errors: dict[str, list[ValidationError]] = {}

    def add(field, message, code, params=None):
        errors.setdefault(field, []).append(ValidationError(message, code=code, params=params))

    country = (address.get("country") or "").upper()
    for field in ("name", "phone", "city", "lines"):
        if not (address.get(field) or "").strip():
            add(field, _("This field is required."), "required")
    if not is_country(country):
        add("country", _("Choose a country from the list."), "invalid_country")
    phone = "".join((address.get("phone") or "").split())
    postcode = normalise_postcode(country, address.get("postcode") or "")
    if country == CHINA:
        province = address.get("province") or ""
        if province not in CN_PROVINCES:
            add("province", _("Choose the province."), "province_required")
        if not (address.get("district") or "").strip():
            add("district", _("This field is required."), "required")
        if phone and not CN_MOBILE.match(phone):
            add(
                "phone",
                _("Enter an 11-digit mainland mobile number (starting with 1)."),
                "invalid_cn_mobile",
            )
        if postcode:
            if not re.fullmatch(POSTCODE_FORMATS[CHINA][0], postcode):
                add("postcode", _("A Chinese postal code has six digits."), "invalid_postcode")
            elif province in CN_PROVINCES and province_from_postal_code(CHINA, postcode) not in (
                "",
                province,
            ):
                add(
                    "postcode",
                    _("This postal code is not in the province you chose."),
                    "postcode_province_mismatch",
                )
    else:
        if phone and not PHONE.match(phone):
            add(
                "phone",
                _(
                    "Enter a phone number with digits only (spaces, dashes and a leading + are fine)."
                ),
                "invalid_phone",
            )
        known = POSTCODE_FORMATS.get(country)
        if known and not postcode:
            add("postcode", _("This field is required."), "required")
        elif known and not re.fullmatch(known[0], postcode):
            add(
                "postcode",
                _("Enter the postal code as it is written there, e.g. %(example)s.")
                % {"example": known[1]},
                "invalid_postcode",
            )
    return ValidationError(errors) if errors else None
