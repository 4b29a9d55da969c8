"""Field rules shared by the application form, the payout page, the API and the admin.

Every rule raises a translated ``ValidationError`` that names what is wrong, so each door
refuses the same bad input with the same message.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from marketplace.clearance import SKU_MODES
from marketplace.images import open_checked_image

# Business licences are scans: a few megabytes is plenty, and the cap keeps abuse cheap.
LICENCE_MAX_BYTES = 5 * 1024 * 1024
LICENCE_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
LICENCE_IMAGE_FORMATS = ("JPEG", "PNG")

SWIFT_VALIDATOR = RegexValidator(
    r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$",
    _("A SWIFT/BIC code has 8 or 11 letters and digits, for example DEUTDEFF or BKCHCNBJ110."),
)
PHONE_VALIDATOR = RegexValidator(
    r"^\+?[0-9][0-9 ()-]{5,22}$",
    _("Enter a phone number with digits only (spaces, dashes and a leading + are fine)."),
)
LICENCE_NUMBER_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9 /.-]{3,49}$",
    _("A licence number has 4 to 50 letters and digits."),
)

_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_ACCOUNT_SHAPE = re.compile(r"^[A-Z0-9]{4,34}$")


def normalise_account_number(value: str) -> str:
    """Bank account numbers and IBANs are compared without spaces or dashes, upper case."""
    return re.sub(r"[\s-]", "", value or "").upper()


def validate_account_number(value: str) -> None:
    """A local account number (4–34 letters/digits) or an IBAN with a valid checksum."""
    number = normalise_account_number(value)
    if not _ACCOUNT_SHAPE.match(number):
        raise ValidationError(
            _("An account number has 4 to 34 letters and digits."), code="account_number"
        )
    if _IBAN_SHAPE.match(number):
        rearranged = number[4:] + number[:4]
        digits = "".join(str(int(ch, 36)) for ch in rearranged)
        if int(digits) % 97 != 1:
            raise ValidationError(
                _("This IBAN's check digits are wrong: please check it for a typo."),
                code="iban_checksum",
            )


def validate_trade_modes(value) -> None:
    """At least one trade mode, each one a SKU may be allowed (``marketplace.clearance.SKU_MODES``)."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one trade mode."), code="required")
    unknown = [mode for mode in value if mode not in SKU_MODES]
    if unknown:
        raise ValidationError(
            _("Unknown trade mode: %(modes)s."),
            code="unknown_trade_mode",
            params={"modes": ", ".join(map(str, unknown))},
        )


def sniff_licence_type(head: bytes) -> str | None:
    """The licence file's real type from its first bytes ("pdf", "png", "jpg") or ``None``."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    return None


def validate_licence_file(upload) -> None:
    """PDF, JPEG or PNG judged by content (not the file name), at most ``LICENCE_MAX_BYTES``.

    Images must pass the one image check (``marketplace.images``: sound structure, at most
    ``UPLOAD_IMAGE_MAX_PIXELS``), and a PDF must carry its end-of-file marker, so a file that
    merely starts with the right bytes is still refused.
    """
    if upload is None:
        return
    size = getattr(upload, "size", None)
    if size is not None and size > LICENCE_MAX_BYTES:
        raise ValidationError(
            _("The licence file is too large: at most %(limit)s MB."),
            code="file_too_large",
            params={"limit": LICENCE_MAX_BYTES // (1024 * 1024)},
        )
    # Files already stored (an unchanged application) were checked when uploaded.
    if not hasattr(upload, "content_type") and getattr(upload, "_committed", True):
        return
    upload.seek(0)
    head = upload.read(16)
    kind = sniff_licence_type(head)
    wrong_type = ValidationError(
        _("The licence must be a PDF, JPEG or PNG file (judged by its content)."),
        code="file_type",
    )
    if kind is None:
        raise wrong_type
    if kind == "pdf":
        upload.seek(max(0, (size or 0) - 1024))
        tail = upload.read()
        if b"%%EOF" not in tail:
            upload.seek(0)
            raise wrong_type
    else:
        # Scans are stored as sent, so the image is verified, not decoded; its pixel count
        # is checked against the one upload limit (a decompression bomb is refused here).
        upload.seek(0)
        try:
            open_checked_image(
                upload.read(LICENCE_MAX_BYTES + 1),
                formats=LICENCE_IMAGE_FORMATS,
                not_accepted=wrong_type.message,
                decode=False,
            )
        except ValidationError as exc:
            upload.seek(0)
            if exc.code == "image_type":
                raise wrong_type from exc
            raise
    upload.seek(0)
