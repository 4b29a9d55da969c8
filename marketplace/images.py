"""The one check of an uploaded image by its content (Pillow), for every door that takes one.

Product images (portal, seller API; ``catalog.images``) and the business licence of a
merchant application (anonymous; ``merchants.validators``) both come through here, so a
hostile file is refused the same way whoever sends it:

- the format is recognised from the bytes, among the formats the caller accepts (the file
  name and the browser's content type are not trusted);
- the pixel count read from the header is compared with ``settings.UPLOAD_IMAGE_MAX_PIXELS``
  **before anything is decoded**. A decompression bomb (a 20,000 × 20,000 PNG of a few hundred
  kilobytes, 400 megapixels and over a gigabyte of memory once decoded) is refused by that
  setting, not by Pillow's own bomb guard: its default (``Image.MAX_IMAGE_PIXELS``, about 89
  megapixels, raising only at twice that) is an exception type every caller would have to
  know about, and a process-wide value any library may change. When Pillow's guard fires
  first (the image is past twice its limit) the answer is the same refusal;
- the structure is verified, and, when the caller keeps the image, decoded in full so a file
  that is only a valid header is refused too.

Errors are ``ValidationError`` with a code: ``image_type`` (not an accepted image) or
``image_too_large`` (over the pixel limit); callers attach them to their field.
"""

from __future__ import annotations

import io
from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# What Pillow raises on a file it cannot read (truncated, corrupt, a format it half knows).
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


def image_pixel_limit() -> int:
    """The most pixels (width × height) an uploaded image may have."""
    return int(settings.UPLOAD_IMAGE_MAX_PIXELS)


def too_many_pixels() -> ValidationError:
    megapixels = image_pixel_limit() / 1_000_000
    return ValidationError(
        _("The image is too large: at most %(megapixels)s megapixels.")
        % {"megapixels": f"{megapixels:g}"},
        code="image_too_large",
    )


def open_checked_image(
    data: bytes, *, formats: Collection[str], not_accepted: str, decode: bool = True
):
    """Check ``data`` as an image in one of ``formats`` (Pillow names: ``"PNG"``, ``"JPEG"``…).

    ``not_accepted`` is the caller's message for a file that is not one of them (it names
    what that door takes). Returns the decoded ``Image`` (``decode=True``), or ``None`` once
    the file is verified (``decode=False``: the caller stores the bytes as they are and only
    needs to know they are a sound image). Raises ``ValidationError`` (codes above).
    """
    formats = [name.upper() for name in formats]
    refused = ValidationError(not_accepted, code="image_type")
    try:
        with Image.open(io.BytesIO(data), formats=formats) as probe:
            width, height = probe.size
            if width * height > image_pixel_limit():
                raise too_many_pixels()
            probe.verify()  # structural check; the probe is unusable afterwards
    except Image.DecompressionBombError as exc:
        raise too_many_pixels() from exc
    except _UNREADABLE as exc:
        raise refused from exc
    if not decode:
        return None
    try:
        image = Image.open(io.BytesIO(data), formats=formats)
        image.load()
    except Image.DecompressionBombError as exc:
        raise too_many_pixels() from exc
    except _UNREADABLE as exc:
        raise refused from exc
    return image
