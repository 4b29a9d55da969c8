"""Product images: checking uploads by their content and making the stored versions (Pillow).

An upload is accepted only if Pillow recognises it as JPEG, PNG, WebP or GIF (the file name
and the browser's content type are not trusted), it is at most ``MAX_UPLOAD_BYTES`` and has
at most ``MAX_PIXELS``. What is stored is re-encoded by us, never the uploaded bytes: that
drops EXIF (camera serials, GPS positions) and anything smuggled after the image data, and
caps the size shoppers download. Two versions are kept: the display image (longest side at
most ``DISPLAY_SIZE``) and the thumbnail (``THUMBNAIL_SIZE``), both named by a random UUID.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
DISPLAY_SIZE = 1600
THUMBNAIL_SIZE = 400
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


@dataclass
class PreparedImage:
    """The two re-encoded files of one upload, ready to assign to an ``ImageField``."""

    display: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _open_checked(upload) -> Image.Image:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "image": _("The image is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(size), "limit": filesizeformat(MAX_UPLOAD_BYTES)}
            }
        )
    upload.seek(0)
    data = upload.read()
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "image": _("The image is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(len(data)), "limit": filesizeformat(MAX_UPLOAD_BYTES)}
            }
        )
    not_an_image = ValidationError(
        {"image": _("This file is not an image we accept: upload a JPEG, PNG, WebP or GIF.")}
    )
    try:
        probe = Image.open(io.BytesIO(data))
        kind = probe.format
        width, height = probe.size
        probe.verify()  # structural check; the probe is unusable afterwards
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise not_an_image from exc
    if kind not in ACCEPTED_FORMATS:
        raise not_an_image
    if width * height > MAX_PIXELS:
        raise ValidationError({"image": _("The image is too large: at most 40 megapixels.")})
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise not_an_image from exc
    return image


def _encode(image: Image.Image, longest_side: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, format="WEBP", quality=85, method=4)
    return out.getvalue()


def prepare_image(upload) -> PreparedImage:
    """Check ``upload`` and return its display and thumbnail versions (WebP).

    Raises ``ValidationError`` naming the ``image`` field when the file is not an accepted
    image or is too big.
    """
    image = _open_checked(upload)
    # Phones store "rotate me" in EXIF; apply it before the metadata is dropped.
    image = ImageOps.exif_transpose(image)
    if image.mode not in {"RGB", "RGBA"}:
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    stem = uuid.uuid4().hex
    return PreparedImage(
        display=ContentFile(_encode(image, DISPLAY_SIZE), name=f"{stem}.webp"),
        thumbnail=ContentFile(_encode(image, THUMBNAIL_SIZE), name=f"{stem}-thumb.webp"),
        width=image.width,
        height=image.height,
    )
