"""Product images: checking uploads by their content and making the stored versions (Pillow).

An upload is accepted only if it is at most ``MAX_UPLOAD_BYTES`` and passes the project's one
image check (``marketplace.images.open_checked_image``): recognised by content as JPEG, PNG,
WebP or GIF (the file name and the browser's content type are not trusted), at most
``settings.UPLOAD_IMAGE_MAX_PIXELS``, refused before decoding when larger. What is stored is
re-encoded by us, never the uploaded bytes: that drops EXIF (camera serials, GPS positions)
and anything smuggled after the image data, and caps the size shoppers download. Two versions
are kept: the display image (longest side at most ``DISPLAY_SIZE``) and the thumbnail
(``THUMBNAIL_SIZE``), both named by a random UUID.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from marketplace.images import open_checked_image
from marketplace.rules import field_error

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
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
        raise field_error(
            "image",
            _("The image is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
            "image_too_large",
        )
    upload.seek(0)
    data = upload.read()
    if len(data) > MAX_UPLOAD_BYTES:
        raise field_error(
            "image",
            _("The image is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
            "image_too_large",
        )
    try:
        return open_checked_image(
            data,
            formats=ACCEPTED_FORMATS,
            not_accepted=_("This file is not an image we accept: upload a JPEG, PNG, WebP or GIF."),
        )
    except ValidationError as exc:
        raise ValidationError({"image": exc.error_list}) from exc


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
