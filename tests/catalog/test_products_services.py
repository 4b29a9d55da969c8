"""Listing services: the trade's rules, refused with field-named messages, nothing half-written."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import SKU, Product, WholesaleTier
from catalog.services.products import (
    hs_code_error,
    normalize_hs_code,
    product_create,
    product_update,
    sku_upsert,
)
from tests.catalog.listing_helpers import recorded_by_customs, sku_input
from tests.factories import CategoryFactory, MerchantFactory, ProductFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return product_create(
        merchant=MerchantFactory(),
        category=CategoryFactory(),
        name_en="Manuka Honey UMF 10+",
        name_zh_hans="麦卢卡蜂蜜 UMF 10+",
    )


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("raw", "normalised", "valid"),
    [
        ("330499", "330499", True),
        ("33049900", "33049900", True),
        ("3304.99.00.00", "3304990000", True),
        ("3304 99 00 00", "3304990000", True),
        ("33049", "33049", False),
        ("3304990", "3304990", False),
        ("330499000000", "330499000000", False),
        ("33AB990000", "33AB990000", False),
        ("0004990000", "0004990000", False),  # no chapter 00
        ("7704990000", "7704990000", False),  # chapter 77 is reserved
        ("9804990000", "9804990000", False),  # beyond chapter 97
    ],
)
def test_hs_code_format(raw, normalised, valid):
    assert normalize_hs_code(raw) == normalised
    assert (hs_code_error(normalised) is None) is valid


def test_an_invalid_hs_code_is_refused_naming_the_field(draft):
    errors = errors_of(lambda: sku_upsert(product=draft, data=sku_input(hs_code="12345")))
    assert "6, 8 or 10 digits" in errors["hs_code"][0]
    assert not SKU.objects.filter(product=draft).exists()


def test_dotted_hs_codes_are_stored_as_digits(draft):
    sku = sku_upsert(product=draft, data=sku_input(hs_code="0409.00.00.00"))
    assert sku.hs_code == "0409000000"


def test_bonded_without_a_recorded_product_record_is_refused(draft):
    errors = errors_of(lambda: sku_upsert(product=draft, data=sku_input(allow_bonded=True)))
    assert "submit the variant's product record" in errors["allow_bonded"][0]
    assert not SKU.objects.filter(product=draft).exists()
    sku = sku_upsert(product=draft, data=sku_input())
    for status in ("submitted", "rejected"):
        SKU.objects.filter(pk=sku.pk).update(product_record_status=status)
        errors = errors_of(lambda: sku_upsert(product=draft, data=sku_input(allow_bonded=True)))
        assert "customs product record" in errors["allow_bonded"][0]
    assert SKU.objects.get(pk=sku.pk).allow_bonded is False


def test_bonded_once_customs_recorded_the_record_is_accepted(draft):
    recorded_by_customs(sku_upsert(product=draft, data=sku_input()))
    sku = sku_upsert(product=draft, data=sku_input(allow_bonded=True))
    assert sku.trade_modes == ["bonded", "direct"]
    assert sku.product_record_number == "31052026R000000001"


def test_the_merchants_input_has_no_record_status_or_number():
    with pytest.raises(TypeError):
        sku_input(product_record_status="recorded", product_record_number="X1")


def test_a_new_hs_code_voids_the_record_and_needs_bonded_off(draft):
    sku = recorded_by_customs(sku_upsert(product=draft, data=sku_input()))
    sku_upsert(product=draft, data=sku_input(allow_bonded=True))
    errors = errors_of(
        lambda: sku_upsert(product=draft, data=sku_input(allow_bonded=True, hs_code="0409000010"))
    )
    assert "needs a new record" in errors["hs_code"][0]
    assert SKU.objects.get(pk=sku.pk).product_record_status == "recorded"

    sku = sku_upsert(product=draft, data=sku_input(hs_code="0409000010"))
    assert (sku.product_record_status, sku.product_record_number) == ("none", "")
    event = sku.record_events.last()
    assert (event.transition, event.reason) == ("void", "HS code 0409000000 -> 0409000010")
    # other edits keep the record
    recorded_by_customs(sku, "31052026R000000002")
    sku = sku_upsert(product=draft, data=sku_input(hs_code="0409000010", price=Decimal("10")))
    assert sku.product_record_status == "recorded"


def test_the_database_refuses_bonded_without_a_record_as_last_line_of_defence():
    sku = SKUFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SKU.objects.filter(pk=sku.pk).update(allow_bonded=True, product_record_status="none")
    assert SKU.objects.get(pk=sku.pk).allow_bonded is False


def test_other_sku_rules_name_their_fields(draft):
    errors = errors_of(
        lambda: sku_upsert(
            product=draft,
            data=sku_input(
                gross_weight_kg=Decimal("0.100"),
                allow_direct=False,
                customs_unit="1",
                excise_category="perfume",
            ),
        )
    )
    assert {"gross_weight_kg", "trade_modes", "customs_unit", "excise_category"} <= set(errors)


def test_prices_fit_the_listing_currency():
    product = product_create(
        merchant=MerchantFactory(),
        category=CategoryFactory(),
        name_en="Shiseido Ultimune",
        name_zh_hans="资生堂红腰子精华",
        listing_currency="JPY",
    )
    errors = errors_of(
        lambda: sku_upsert(product=product, data=sku_input(price=Decimal("8800.50")))
    )
    assert "JPY" in errors["price"][0]
    assert sku_upsert(product=product, data=sku_input(price=Decimal("8800"))).price == 8800


def test_wholesale_tiers_get_cheaper_with_quantity(draft):
    sku = sku_upsert(
        product=draft,
        data=sku_input(tiers=[(50, Decimal("169.00")), (10, Decimal("189.00"))]),
    )
    assert list(sku.tiers.values_list("min_quantity", "unit_price")) == [
        (10, Decimal("189.00")),
        (50, Decimal("169.00")),
    ]
    errors = errors_of(
        lambda: sku_upsert(
            product=draft,
            data=sku_input(tiers=[(10, Decimal("189.00")), (50, Decimal("195.00"))]),
        )
    )
    assert "higher unit price" in errors["tiers"][0]
    errors = errors_of(
        lambda: sku_upsert(product=draft, data=sku_input(tiers=[(1, Decimal("100.00"))]))
    )
    assert "2 units" in errors["tiers"][0]
    errors = errors_of(
        lambda: sku_upsert(product=draft, data=sku_input(tiers=[(5, Decimal("250.00"))]))
    )
    assert "cheaper than the regular price" in errors["tiers"][0]
    # The refused updates left the stored tiers alone.
    assert WholesaleTier.objects.filter(sku=sku).count() == 2


def test_an_empty_tier_list_clears_tiers_only_when_asked(draft):
    sku = sku_upsert(product=draft, data=sku_input(tiers=[(10, Decimal("189.00"))]))
    sku_upsert(product=draft, data=sku_input(tiers=[]))
    assert sku.tiers.count() == 1  # the CSV import's "leave tiers alone"
    sku_upsert(product=draft, data=sku_input(tiers=[]), replace_tiers=True)
    assert sku.tiers.count() == 0


def test_sku_codes_are_unique_per_merchant(draft):
    sku_upsert(product=draft, data=sku_input(code="DUP-1"))
    other = ProductFactory(merchant=draft.merchant, status=Product.Status.DRAFT)
    errors = errors_of(lambda: sku_upsert(product=other, data=sku_input(code="DUP-1")))
    assert "already used by another product" in errors["code"][0]
    # Another merchant may use the same code.
    stranger = ProductFactory(status=Product.Status.DRAFT)
    assert sku_upsert(product=stranger, data=sku_input(code="DUP-1")).merchant == stranger.merchant


def test_product_create_keeps_the_signature_the_csv_import_uses():
    merchant, category = MerchantFactory(), CategoryFactory()
    product = product_create(
        merchant=merchant,
        category=category,
        name_en="A2 Platinum Stage 3",
        name_zh_hans="a2白金版3段",
        description_en="<p>Toddler milk</p><script>alert(1)</script>",
        description_zh_hans="<p onclick='x()'>幼儿奶粉</p>",
        listing_currency="aud",
        min_order_quantity=2,
        skus=[sku_input(code="A2-3", hs_code="1901101000", origin_country="nz")],
    )
    assert product.status == Product.Status.DRAFT and product.listing_currency == "AUD"
    assert product.description_en == "<p>Toddler milk</p>"
    assert product.description_zh_hans == "<p>幼儿奶粉</p>"
    assert product.skus.get().origin_country == "NZ"


def test_a_bad_sku_in_product_create_leaves_nothing_behind():
    merchant = MerchantFactory()
    with pytest.raises(ValidationError), transaction.atomic():
        product_create(
            merchant=merchant,
            category=CategoryFactory(),
            name_en="Half",
            name_zh_hans="一半",
            skus=[sku_input(code="OK-1"), sku_input(code="BAD-1", hs_code="1")],
        )
    assert not Product.objects.filter(merchant=merchant).exists()
    assert not SKU.objects.filter(merchant=merchant).exists()


def test_unknown_listing_currency_is_refused():
    errors = errors_of(
        lambda: product_create(
            merchant=MerchantFactory(),
            category=CategoryFactory(),
            name_en="X",
            name_zh_hans="某",
            listing_currency="XXX",
        )
    )
    assert "XXX" in errors["listing_currency"][0]


def test_updating_a_draft_applies_at_once_and_sanitises(draft):
    revision = product_update(
        product=draft,
        by=None,
        name_en="Manuka Honey UMF 15+",
        description_en='<p>Rich</p><img src="x" onerror="steal()"><a href="javascript:x()">x</a>',
    )
    assert revision is None
    draft.refresh_from_db()
    assert draft.name_en == "Manuka Honey UMF 15+"
    assert "onerror" not in draft.description_en and "javascript" not in draft.description_en
    assert draft.slug == "manuka-honey-umf-10"  # links keep working after a rename


def test_changing_currency_refuses_prices_it_cannot_hold(draft):
    sku_upsert(product=draft, data=sku_input(price=Decimal("199.50")))
    errors = errors_of(lambda: product_update(product=draft, by=None, listing_currency="JPY"))
    assert "JPY" in errors["listing_currency"][0]
    draft.refresh_from_db()
    assert draft.listing_currency == "CNY"
