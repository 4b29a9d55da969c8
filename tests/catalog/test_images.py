"""Product images: checked by content, re-encoded, thumbnails generated, ordered, removed."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog import images
from catalog.models import Product, ProductImage
from catalog.services.products import (
    MAX_IMAGES,
    product_image_add,
    product_image_delete,
    product_image_move,
)
from tests.catalog.listing_helpers import image_bytes, media, upload  # noqa: F401
from tests.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def draft():
    return ProductFactory(status=Product.Status.DRAFT, published_at=None)


def test_upload_is_stored_resized_with_a_thumbnail(draft):
    stored = product_image_add(
        product=draft, by=None, upload=upload(size=(3000, 2000)), alt="Front"
    )
    with Image.open(stored.image.path) as display, Image.open(stored.thumbnail.path) as thumb:
        assert display.format == "WEBP" and max(display.size) == images.DISPLAY_SIZE
        assert thumb.format == "WEBP" and max(thumb.size) == images.THUMBNAIL_SIZE
        assert thumb.size == (400, 267)  # aspect ratio kept
    assert stored.alt == "Front" and stored.position == 0
    assert stored.image.name.endswith(".webp") and "photo" not in stored.image.name


def test_exif_is_dropped_and_orientation_applied(draft):
    source = Image.new("RGB", (200, 100), (10, 200, 10))
    exif = source.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    exif[0x010F] = "SecretCam"
    out = io.BytesIO()
    source.save(out, format="JPEG", exif=exif)
    stored = product_image_add(
        product=draft,
        by=None,
        upload=SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg"),
    )
    with Image.open(stored.image.path) as display:
        assert display.size == (100, 200)
        assert not display.getexif()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.png", b"<script>alert(1)</script>"),
        ("evil.png", b"%PDF-1.4 not an image"),
        ("fake.jpg", image_bytes("PNG")[:40]),  # truncated
        ("anim.bmp", image_bytes("BMP")),  # an image, but not a format we take
    ],
)
def test_files_that_are_not_accepted_images_are_refused_by_content(draft, name, content):
    with pytest.raises(ValidationError) as refused:
        product_image_add(
            product=draft,
            by=None,
            upload=SimpleUploadedFile(name, content, content_type="image/png"),
        )
    assert "JPEG, PNG, WebP or GIF" in refused.value.message_dict["image"][0]
    assert not ProductImage.objects.exists()


def test_files_over_the_size_limit_are_refused(draft, monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(ValidationError) as refused:
        product_image_add(product=draft, by=None, upload=upload(size=(800, 800)))
    assert "limit" in refused.value.message_dict["image"][0]


def test_a_product_has_at_most_twelve_images(draft):
    for n in range(MAX_IMAGES):
        product_image_add(product=draft, by=None, upload=upload(f"{n}.png", size=(20, 20)))
    with pytest.raises(ValidationError) as refused:
        product_image_add(product=draft, by=None, upload=upload(size=(20, 20)))
    assert "12" in refused.value.message_dict["image"][0]


def test_images_can_be_reordered_and_removed(draft, django_capture_on_commit_callbacks):
    a, b, c = (product_image_add(product=draft, by=None, upload=upload()) for _ in range(3))
    product_image_move(product=draft, image=c, offset=-1)
    product_image_move(product=draft, image=c, offset=-1)
    order = list(ProductImage.objects.filter(product=draft).values_list("pk", flat=True))
    assert order == [c.pk, a.pk, b.pk]
    product_image_move(product=draft, image=c, offset=-1)  # already first: stays
    assert ProductImage.objects.filter(product=draft).first().pk == c.pk

    path, thumb = Path(a.image.path), Path(a.thumbnail.path)
    with django_capture_on_commit_callbacks(execute=True):
        product_image_delete(product=draft, by=None, image=a)
    assert not ProductImage.objects.filter(pk=a.pk).exists()
    assert not path.exists() and not thumb.exists()  # files go once the deletion commits
