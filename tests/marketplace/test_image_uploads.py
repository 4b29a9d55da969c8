"""Decompression bombs at every door that takes an image: refused with a translated 400 or
form error by the one image check (marketplace/images.py), never a server error."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from catalog.models import Product, ProductImage
from marketplace.images import open_checked_image
from merchants.models import MerchantApplication
from tests.bombs import decompression_bomb_png
from tests.catalog.listing_helpers import image_bytes, media  # noqa: F401
from tests.factories import ProductFactory
from tests.merchants.conftest import categories, form_data  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

TOO_LARGE = "The image is too large: at most 40 megapixels."


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = decompression_bomb_png()  # 20,000 × 20,000: past Pillow's own bomb guard
    assert len(data) < 300 * 1024
    return data


@pytest.fixture(scope="module")
def big() -> bytes:
    # 50 megapixels: over our limit, under Pillow's default (89 MP), so Pillow would decode it
    return decompression_bomb_png(10_000, 5_000)


def bomb_file(data: bytes, name: str = "bomb.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def draft_of(tenant) -> Product:
    return ProductFactory(merchant=tenant.merchant, status=Product.Status.DRAFT, published_at=None)


def test_the_check_refuses_by_the_setting_before_decoding(bomb, big, settings):
    for data in (bomb, big):
        with pytest.raises(ValidationError) as refused:
            open_checked_image(data, formats={"PNG"}, not_accepted="not an image")
        assert refused.value.code == "image_too_large"
        assert refused.value.messages == [TOO_LARGE]
    # The limit is ours: raised above 50 MP the same file passes (and is decoded) ...
    settings.UPLOAD_IMAGE_MAX_PIXELS = 60_000_000
    assert open_checked_image(big, formats={"PNG"}, not_accepted="x").size == (10_000, 5_000)
    # ... lowered below a small photo's pixel count, an ordinary upload is refused.
    settings.UPLOAD_IMAGE_MAX_PIXELS = 100_000
    with pytest.raises(ValidationError) as refused:
        open_checked_image(image_bytes(size=(640, 480)), formats={"PNG"}, not_accepted="x")
    assert refused.value.messages == ["The image is too large: at most 0.1 megapixels."]


@pytest.mark.parametrize("size", ["bomb", "big"])
def test_seller_image_api_answers_400_in_the_error_format(tenants, size, request):
    product = draft_of(tenants.a)
    response = tenants.a.client.post(
        f"/api/v1/seller/products/{product.pk}/images/",
        {"image": bomb_file(request.getfixturevalue(size))},
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["image"] == [TOO_LARGE]
    assert not ProductImage.objects.exists()


def test_seller_image_api_error_is_in_the_requests_language(tenants, bomb):
    product = draft_of(tenants.a)
    response = tenants.a.client.post(
        f"/api/v1/seller/products/{product.pk}/images/",
        {"image": bomb_file(bomb)},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["image"] == ["图片尺寸过大：最多 40 百万像素。"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_portal_image_form_shows_the_error_on_the_field(tenants, bomb, language):
    product = draft_of(tenants.a)
    with translation.override(language):
        url = reverse("seller_catalog:images", args=[product.pk])
        expected = translation.gettext("The image is too large: at most %(megapixels)s megapixels.")
    response = tenants.a.client.post(url, {"image": bomb_file(bomb)})
    assert response.status_code == 200
    assert expected % {"megapixels": "40"} in response.content.decode()
    assert not ProductImage.objects.filter(product=product).exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_anonymous_licence_upload_is_refused_on_the_form(categories, bomb, language):  # noqa: F811
    data = form_data(categories, licence_file=bomb_file(bomb, "licence.png"))
    data.update(
        {
            "account-email": "founder@bomb.example",
            "account-password1": "long-enough-passphrase-42",
            "account-password2": "long-enough-passphrase-42",
        }
    )
    with translation.override(language):
        url = reverse("apply:start")
        expected = translation.gettext("The image is too large: at most %(megapixels)s megapixels.")
    response = Client().post(url, data)
    assert response.status_code == 400  # the application form answers errors with 400
    assert expected % {"megapixels": "40"} in response.content.decode()
    assert not MerchantApplication.objects.exists()


def test_a_sound_licence_scan_still_passes(categories, client_for):  # noqa: F811
    from tests.factories import UserFactory

    client = client_for(UserFactory())
    data = form_data(categories, licence_file=bomb_file(image_bytes(size=(1200, 900)), "l.png"))
    response = client.post(reverse("apply:start"), data)
    assert response.status_code == 302
    assert MerchantApplication.objects.get().licence_file.name.endswith(".png")
