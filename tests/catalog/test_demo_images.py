"""The demo looks like a shop: every demo product has a picture, drawn at seed time and stored
through the image service merchants use (WebP display image and thumbnail), once."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from PIL import Image

from catalog.demo import PRODUCTS
from catalog.demo_images import draw_picture
from catalog.images import THUMBNAIL_SIZE
from catalog.models import Product, ProductImage, ProductRevision, ProductRevisionImage
from merchants.models import Merchant

pytestmark = pytest.mark.django_db


def demo_products():
    return Product.objects.filter(merchant__slug__in={p.merchant for p in PRODUCTS})


def files_on_disk() -> set[Path]:
    return set(Path(settings.MEDIA_ROOT).rglob("*.webp"))


def test_every_demo_product_has_one_picture_with_a_thumbnail_and_reseeding_adds_none(client):
    call_command("seed_demo")
    products = list(demo_products())
    assert len(products) == len(PRODUCTS)
    images = {img.product_id: img for img in ProductImage.objects.filter(product__in=products)}
    assert set(images) == {p.pk for p in products}
    assert ProductImage.objects.filter(product__in=products).count() == len(products)
    for image in images.values():
        # re-encoded by the merchants' image service: WebP, with a thumbnail
        assert image.image.name.endswith(".webp") and image.thumbnail.name.endswith("-thumb.webp")
        with Image.open(image.image.path) as display, Image.open(image.thumbnail.path) as thumb:
            assert display.format == thumb.format == "WEBP"
            assert display.size == (480, 480)
            assert max(thumb.size) <= THUMBNAIL_SIZE
    files = files_on_disk()
    assert len(files) == 2 * len(products)

    # the home page's grid of new products and a product page show them
    home = client.get("/en/").content.decode()
    shown = [img for img in images.values() if f'src="{img.thumbnail.url}"' in home]
    assert len(shown) == 12
    item = demo_products().filter(status="approved", merchant__status=Merchant.Status.APPROVED)[0]
    page = client.get(f"/en/p/{item.pk}/{item.slug}/").content.decode()
    assert f'class="main-image" translate="no" src="{images[item.pk].image.url}"' in page
    assert "main-image placeholder" not in page

    call_command("seed_demo")
    assert ProductImage.objects.filter(product__in=products).count() == len(products)
    assert not ProductRevisionImage.objects.exists()
    assert files_on_disk() == files


def test_a_demo_seeded_before_pictures_gets_them_through_review():
    call_command("seed_demo")
    edited = ProductRevision.objects.get(status="pending")  # the demo's "edits waiting" product
    live_revisions = ProductRevision.objects.exclude(status="pending").count()
    ProductImage.objects.all().delete()  # as a demo seeded before pictures were

    call_command("seed_demo")
    products = list(demo_products())
    for item in products:
        live = ProductImage.objects.filter(product=item).count()
        proposed = ProductRevisionImage.objects.filter(revision__product=item).count()
        if item.pk == edited.product_id:
            # its edits are still waiting; the picture waits with them
            assert (live, proposed) == (0, 1)
            edited.refresh_from_db()
            assert edited.status == "pending"
        else:
            assert (live, proposed) == (1, 0), item.slug
    # a live product's new picture was an edit, approved by the operator (its history says so)
    approved = Product.objects.filter(status="approved").exclude(pk=edited.product_id).count()
    assert ProductRevision.objects.exclude(status="pending").count() == live_revisions + approved

    call_command("seed_demo")  # and once they have pictures, no more
    assert ProductImage.objects.count() == len(products) - 1
    assert ProductRevisionImage.objects.count() == 1


def test_the_same_product_is_drawn_the_same_way_and_products_differ():
    args = {
        "slug": "estee-lauder-advanced-night-repair-50ml",
        "category": "beauty",
        "brand": "Estée Lauder",
        "name": "Estée Lauder Advanced Night Repair 50ml",
    }
    first = draw_picture(**args).tobytes()
    assert draw_picture(**args).tobytes() == first
    assert draw_picture(**{**args, "slug": "another-serum"}).tobytes() != first
    assert draw_picture(**{**args, "category": "food-wine"}).tobytes() != first


def test_a_picture_is_a_valid_png_upload():
    from catalog.demo_images import demo_picture

    upload = demo_picture(slug="x", category="health", brand="Swisse", name="Vitamin C")
    with Image.open(io.BytesIO(upload.read())) as picture:
        assert picture.format == "PNG" and picture.size == (480, 480)
