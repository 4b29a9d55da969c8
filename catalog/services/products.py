"""Listing writes: creating and editing products and their SKUs.

Moderation (submit, approve, reject, review of edits to live products) builds on these.
Every function validates with the models' own rules (``full_clean``) so the portal, the API
and the CSV import refuse the same bad input with the same field-named messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from catalog.models import SKU, Product, WholesaleTier
from catalog.sanitize import sanitize_html


@dataclass
class SkuInput:
    code: str
    price: Decimal
    hs_code: str
    origin_country: str
    net_weight_kg: Decimal
    gross_weight_kg: Decimal
    barcode: str = ""
    attributes: dict = field(default_factory=dict)
    min_order_quantity: int = 1
    low_stock_threshold: int = 5
    length_cm: Decimal = Decimal(0)
    width_cm: Decimal = Decimal(0)
    height_cm: Decimal = Decimal(0)
    customs_unit: str = "011"
    allow_bonded: bool = False
    allow_direct: bool = True
    allow_personal_parcel: bool = False
    allow_general_trade: bool = False
    postal_tax_category: str = "20"
    excise_category: str = ""
    product_record_number: str = ""
    product_record_status: str = "none"
    tiers: list[tuple[int, Decimal]] = field(default_factory=list)


def _unique_slug(merchant, base: str, *, exclude_pk=None) -> str:
    root = slugify(base)[:100] or "product"
    candidate, n = root, 1
    taken = Product.objects.for_merchant(merchant)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    while taken.filter(slug=candidate).exists():
        n += 1
        candidate = f"{root}-{n}"
    return candidate


@transaction.atomic
def sku_upsert(*, product: Product, data: SkuInput) -> SKU:
    """Create or update (by merchant + code) one SKU of ``product`` with its wholesale tiers."""
    values = {k: v for k, v in data.__dict__.items() if k not in {"code", "tiers"}}
    sku = SKU.objects.for_merchant(product.merchant).filter(code=data.code).first()
    if sku is None:
        sku = SKU(merchant=product.merchant, product=product, code=data.code)
    elif sku.product_id != product.pk:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"code": _("This SKU code is already used by another product.")})
    for key, value in values.items():
        setattr(sku, key, value)
    sku.origin_country = sku.origin_country.upper()
    sku.full_clean(exclude=["merchant", "product"])
    sku.save()
    if data.tiers:
        WholesaleTier.objects.filter(sku=sku).delete()
        for min_quantity, unit_price in sorted(data.tiers):
            tier = WholesaleTier(
                merchant=product.merchant, sku=sku, min_quantity=min_quantity, unit_price=unit_price
            )
            tier.full_clean(exclude=["merchant", "sku"])
            tier.save()
    return sku


@transaction.atomic
def product_create(
    *,
    merchant,
    category,
    name_en: str,
    name_zh_hans: str,
    description_en: str = "",
    description_zh_hans: str = "",
    brand=None,
    listing_currency: str = "CNY",
    min_order_quantity: int = 1,
    skus: list[SkuInput] | None = None,
) -> Product:
    """Create a draft product (and its SKUs). Descriptions are sanitised on the way in."""
    product = Product(
        merchant=merchant,
        category=category,
        brand=brand,
        name_en=name_en.strip(),
        name_zh_hans=name_zh_hans.strip(),
        description_en=sanitize_html(description_en),
        description_zh_hans=sanitize_html(description_zh_hans),
        listing_currency=listing_currency.upper(),
        min_order_quantity=min_order_quantity,
        slug=_unique_slug(merchant, name_en or name_zh_hans),
        status=Product.Status.DRAFT,
    )
    product.full_clean(exclude=["merchant"])
    product.save()
    for sku in skus or []:
        sku_upsert(product=product, data=sku)
    return product
