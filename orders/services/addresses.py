"""Delivery addresses: the one check of an address (checkout and saved addresses alike) and
the shopper's saved addresses (``orders.SavedAddress``).

An address is a dict with the keys of ``orders.models.ADDRESS_FIELDS``. The rules depend on
the country: every address needs a recipient, a phone, a country, a city and a street
address; a Chinese one (mainland) also needs its province (ISO 3166-2, ``CN-ZJ``, or its
name: carriers price by province, customs declare it) and its district (区/县), its phone is
an 11-digit mainland mobile number (couriers text the recipient; ``+86`` allowed), and its
postal code, when given, is six digits of that province. Elsewhere the postal code, when
given, follows the country's format where ``logistics.postcodes`` has it (free text for the
others) and the province is optional. Refusals name the address key with a code per rule.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from logistics.postcodes import postcode_example, postcode_normalise, postcode_valid
from logistics.shipping.regions import CN_PROVINCES, province_code, province_from_postal_code
from marketplace.countries import is_country
from marketplace.digits import has_foreign_digits, is_ascii_digits
from marketplace.rules import RuleErrors
from orders.models import ADDRESS_FIELDS, SavedAddress

CHINA = "CN"
# The most addresses one account keeps (a form's list, not an address book service).
MAX_SAVED_ADDRESSES = 20

_LIMITS = {
    "name": 60,
    "phone": 30,
    "province": 60,
    "city": 60,
    "district": 60,
    "lines": 200,
    "postcode": 12,
}


_SUFFIXES = ("省", "市", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区")


def _province_by_name(name: str) -> str:
    """A Chinese province's code from its name in English or Chinese (``浙江省``, ``Zhejiang``)."""
    wanted = name.strip().lower()
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if wanted.endswith(suffix):
            wanted = wanted[: -len(suffix)]
            break
    for code, (english, chinese) in CN_PROVINCES.items():
        if wanted in (english.lower(), chinese):
            return code
    return ""


def _is_cn_mobile(digits: str) -> bool:
    return len(digits) == 11 and digits.startswith("1") and is_ascii_digits(digits)


def address_clean(address: dict) -> dict:
    """The address with every key present, stripped and checked; raises ``ValidationError``
    naming each offending key. A Chinese province comes back as its ISO code."""
    if not isinstance(address, dict):
        raise ValidationError(
            {"address": ValidationError(_("Enter a delivery address."), code="address_required")}
        )
    clean = {key: str(address.get(key) or "").strip() for key in ADDRESS_FIELDS}
    clean["country"] = clean["country"].upper()
    errors = RuleErrors()
    for key in ("name", "phone", "country", "city", "lines"):
        if not clean[key]:
            errors.add(key, _("Fill in this field."), "address_field_required")
    for key, limit in _LIMITS.items():
        if len(clean[key]) > limit:
            errors.add(
                key,
                _("At most %(n)s characters.") % {"n": limit},
                "address_field_too_long",
            )
    if clean["country"] and not is_country(clean["country"]):
        errors.add("country", _("Choose a country from the list."), "unknown_country")
    phone = clean["phone"].replace(" ", "").replace("-", "").lstrip("+")
    if clean["phone"] and (has_foreign_digits(phone) or not is_ascii_digits(phone)):
        errors.add("phone", _("Enter the phone number with digits 0-9 only."), "invalid_phone")
    if clean["country"] == CHINA:
        if clean["province"]:
            code = province_code(CHINA, clean["province"]) or _province_by_name(clean["province"])
            if not code:
                errors.add("province", _("Choose a province from the list."), "unknown_province")
            clean["province"] = code or clean["province"]
        else:
            errors.add(
                "province", _("A Chinese address needs its province."), "address_field_required"
            )
        if not clean["district"]:
            errors.add(
                "district",
                _("A Chinese address needs its district or county."),
                "address_field_required",
            )
        if clean["postcode"] and not (
            len(clean["postcode"]) == 6 and is_ascii_digits(clean["postcode"])
        ):
            errors.add("postcode", _("A Chinese postal code has six digits."), "invalid_postcode")
        elif clean["postcode"] and province_from_postal_code(CHINA, clean["postcode"]) not in (
            "",
            clean["province"],
        ):
            errors.add(
                "postcode",
                _("This postal code is not in the province you chose."),
                "postcode_province_mismatch",
            )
        mobile = phone[2:] if phone.startswith("86") and len(phone) == 13 else phone
        if clean["phone"] and "phone" not in errors.errors and not _is_cn_mobile(mobile):
            errors.add(
                "phone",
                _("Enter an 11-digit mainland mobile number (starting with 1)."),
                "invalid_cn_mobile",
            )
    elif clean["postcode"]:
        clean["postcode"] = postcode_normalise(clean["postcode"])
        if not postcode_valid(clean["country"], clean["postcode"]):
            errors.add(
                "postcode",
                _("Enter the postal code as it is written there, e.g. %(example)s.")
                % {"example": postcode_example(clean["country"])},
                "invalid_postcode",
            )
    errors.raise_if_any()
    return clean


@transaction.atomic
def address_save(
    *,
    user,
    address: dict,
    label: str = "",
    default: bool = False,
    saved: SavedAddress | None = None,
) -> SavedAddress:
    """Save a new address on ``user``'s account, or change ``saved`` (one of theirs).
    ``default`` makes it the default one (the previous default stops being it); a shopper's
    first address is their default."""
    clean = address_clean(address)
    if saved is not None and saved.user_id != user.pk:
        raise ValidationError(_("This address is not yours."), code="unknown_address")
    mine = SavedAddress.objects.filter(user=user)
    if saved is None and mine.count() >= MAX_SAVED_ADDRESSES:
        raise ValidationError(
            _("You can keep at most %(n)s addresses: delete one first.")
            % {"n": MAX_SAVED_ADDRESSES},
            code="too_many_addresses",
        )
    default = default or not mine.exclude(pk=getattr(saved, "pk", None)).exists()
    if default:
        mine.filter(is_default=True).exclude(pk=getattr(saved, "pk", None)).update(is_default=False)
    target = saved or SavedAddress(user=user)
    for key, value in clean.items():
        setattr(target, key, value)
    target.label = (label or "").strip()[:40]
    target.is_default = default or (saved is not None and saved.is_default)
    target.save()
    return target


@transaction.atomic
def address_delete(*, user, saved: SavedAddress) -> None:
    """Delete one of ``user``'s saved addresses; when it was the default, the oldest one left
    becomes the default."""
    if saved.user_id != user.pk:
        raise ValidationError(_("This address is not yours."), code="unknown_address")
    was_default = saved.is_default
    saved.delete()
    if was_default:
        oldest = SavedAddress.objects.filter(user=user).order_by("created_at", "id").first()
        if oldest is not None:
            oldest.is_default = True
            oldest.save(update_fields=["is_default", "updated_at"])
