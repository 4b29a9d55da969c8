"""Shared arrangements for the listing and moderation tests (not a test module)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.services.products import SkuInput


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a temporary folder, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def sku_input(code: str = "KN-HONEY-250", **overrides) -> SkuInput:
    values = {
        "code": code,
        "price": Decimal("199.00"),
        "hs_code": "0409000000",
        "origin_country": "NZ",
        "net_weight_kg": Decimal("0.250"),
        "gross_weight_kg": Decimal("0.320"),
        "attributes_en": {"size": "250g"},
    }
    values.update(overrides)
    return SkuInput(**values)


def image_bytes(fmt: str = "PNG", size=(640, 480), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def upload(name: str = "photo.png", fmt: str = "PNG", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(fmt, **kwargs), content_type="image/png")


def sku_post_data(**overrides) -> dict:
    """A valid SKU form submission (portal), tiers formset included."""
    data = {
        "code": "KN-HONEY-500",
        "attributes_en": "size: 500g\ncolour: amber",
        "barcode": "9421000000001",
        "price": "299.00",
        "min_order_quantity": "1",
        "low_stock_threshold": "5",
        "is_active": "on",
        "hs_code": "0409.00.00.00",
        "origin_country": "NZ",
        "net_weight_kg": "0.500",
        "gross_weight_kg": "0.620",
        "length_cm": "8",
        "width_cm": "8",
        "height_cm": "12",
        "customs_unit": "011",
        "trade_modes": ["direct"],
        "postal_tax_category": "13",
        "excise_category": "",
        "tiers-TOTAL_FORMS": "3",
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "10",
        "tiers-0-min_quantity": "10",
        "tiers-0-unit_price": "279.00",
        "tiers-1-min_quantity": "50",
        "tiers-1-unit_price": "259.00",
        "tiers-2-min_quantity": "",
        "tiers-2-unit_price": "",
    }
    data.update(overrides)
    return data


def sku_api_data(code: str = "API-SKU-1", **overrides) -> dict:
    data = {
        "code": code,
        "price": "120.00",
        "hs_code": "3304990000",
        "origin_country": "JP",
        "net_weight_kg": "0.100",
        "gross_weight_kg": "0.150",
        "attributes_en": {"shade": "01"},
        "trade_modes": ["direct"],
        "tiers": [{"min_quantity": 10, "unit_price": "110.00"}],
    }
    data.update(overrides)
    return data


def recorded_by_customs(sku, number: str = "31052026R000000001"):
    """``sku`` with its product record submitted and recorded as the gateway's SWR102 answer
    records it (the same services the receipt path calls)."""
    from catalog.services import records

    submission = records.product_record_submit(sku=sku, by=None)
    moved, note = records.product_record_answer(
        guid=submission.guid,
        answer="recorded",
        status="800",
        info="备案通过",
        record_number=number,
        message=b"",
    )
    assert moved, note
    sku.refresh_from_db()
    return sku
