"""Commission: operators set a rate per merchant and per category; the one selector picks
category (or its nearest parent) → merchant default → platform default; merchants see it."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from merchants import services
from merchants.models import CategoryCommission, MerchantEvent
from merchants.selectors import commission_rate_for, commission_table
from tests.factories import CategoryFactory
from tests.merchants.conftest import (
    API_NON_MEMBERS,
    PAGE_NON_MEMBERS,
    WHO,
    api_outcome,
    page_outcome,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    beauty = CategoryFactory(name_en="Beauty", name_zh_hans="美妆", slug="beauty")
    skincare = CategoryFactory(
        name_en="Skincare", name_zh_hans="护肤", slug="skincare", parent=beauty
    )
    serums = CategoryFactory(name_en="Serums", name_zh_hans="精华", slug="serums", parent=skincare)
    food = CategoryFactory(name_en="Food", name_zh_hans="食品", slug="food")
    return beauty, skincare, serums, food


def test_the_rate_falls_back_from_category_to_merchant_to_platform(cast, tree, settings):
    settings.PLATFORM_COMMISSION_RATE = "5.00"
    beauty, skincare, serums, food = tree
    operator, merchant = cast.users["operator"], cast.merchant

    assert commission_rate_for(merchant, serums) == Decimal("5.00")
    services.merchant_commission_set(merchant=merchant, by=operator, rate=Decimal("7.5"))
    assert commission_rate_for(merchant, food) == Decimal("7.50")
    services.category_commission_set(
        merchant=merchant, category=beauty, by=operator, rate=Decimal("12")
    )
    assert commission_rate_for(merchant, beauty) == Decimal("12.00")
    assert commission_rate_for(merchant, serums) == Decimal("12.00")  # inherited from Beauty
    services.category_commission_set(
        merchant=merchant, category=skincare, by=operator, rate=Decimal("9.25")
    )
    assert commission_rate_for(merchant, serums) == Decimal("9.25")  # nearest parent wins
    assert commission_rate_for(merchant, food) == Decimal("7.50")
    # Another merchant is untouched by A's rates.
    assert commission_rate_for(cast.other_merchant, serums) == Decimal("5.00")
    services.category_commission_remove(merchant=merchant, category=skincare, by=operator)
    assert commission_rate_for(merchant, serums) == Decimal("12.00")
    services.merchant_commission_set(merchant=merchant, by=operator, rate=None)
    assert commission_rate_for(merchant, food) == Decimal("5.00")


def test_the_selector_is_cheap(cast, tree, django_assert_max_num_queries):
    services.category_commission_set(
        merchant=cast.merchant, category=tree[0], by=cast.users["operator"], rate=Decimal("10")
    )
    with django_assert_max_num_queries(2):
        assert commission_rate_for(cast.merchant, tree[2]) == Decimal("10.00")


def test_only_operators_set_rates_and_every_change_is_in_the_history(cast, tree):
    with pytest.raises(PermissionDenied):
        services.merchant_commission_set(merchant=cast.merchant, by=cast.users["owner"], rate=1)
    with pytest.raises(PermissionDenied):
        services.category_commission_set(
            merchant=cast.merchant, category=tree[0], by=cast.users["owner"], rate=1
        )
    with pytest.raises(ValidationError):
        services.merchant_commission_set(
            merchant=cast.merchant, by=cast.users["operator"], rate=Decimal("101")
        )
    services.merchant_commission_set(
        merchant=cast.merchant, by=cast.users["operator"], rate=Decimal("8")
    )
    services.category_commission_set(
        merchant=cast.merchant, category=tree[0], by=cast.users["operator"], rate=Decimal("11")
    )
    notes = MerchantEvent.objects.filter(subject=cast.merchant, transition="commission_change")
    assert [n.details["new"] for n in notes] == ["8.00%", "11.00%"]
    assert [n.summary for n in notes] == ["— → 8.00%", "Beauty: — → 11.00%"]


def test_operator_edits_rates_in_the_back_office(cast, tree):
    beauty = tree[0]
    ops, merchant = cast["operator"], cast.merchant
    url = reverse("admin:merchants_merchant_change", args=[merchant.pk])
    response = ops.post(
        url,
        {
            "name_en": merchant.name_en,
            "name_zh_hans": merchant.name_zh_hans,
            "slug": merchant.slug,
            "kind": merchant.kind,
            "country": merchant.country,
            "commission_rate": "6.50",
            "-1-TOTAL_FORMS": "1",
            "-1-INITIAL_FORMS": "0",
            "-1-0-category": beauty.pk,
            "-1-0-rate": "10.00",
            "-2-TOTAL_FORMS": "0",
            "-2-INITIAL_FORMS": "0",
            "-3-TOTAL_FORMS": "0",
            "-3-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert merchant.commission_rate == Decimal("6.50")
    assert CategoryCommission.objects.get(merchant=merchant).rate == Decimal("10.00")
    history = ops.get(url).content.decode()
    assert "Commission rate changed" in history and "Beauty: — → 10.00%" in history

    bad = ops.post(
        url,
        {
            "name_en": merchant.name_en,
            "name_zh_hans": merchant.name_zh_hans,
            "slug": merchant.slug,
            "kind": merchant.kind,
            "country": merchant.country,
            "commission_rate": "150",
            "-1-TOTAL_FORMS": "0",
            "-1-INITIAL_FORMS": "0",
            "-2-TOTAL_FORMS": "0",
            "-2-INITIAL_FORMS": "0",
            "-3-TOTAL_FORMS": "0",
            "-3-INITIAL_FORMS": "0",
        },
    )
    assert bad.status_code == 200
    assert "less than or equal to 100" in bad.content.decode()
    merchant.refresh_from_db()
    assert merchant.commission_rate == Decimal("6.50")


def test_commission_table_explains_each_rate(cast, tree):
    beauty, skincare, serums, food = tree
    services.category_commission_set(
        merchant=cast.merchant, category=beauty, by=cast.users["operator"], rate=Decimal("12")
    )
    table = commission_table(cast.merchant)
    lines = {line.category.slug: (line.rate, line.source, line.depth) for line in table.lines}
    assert lines["beauty"] == (Decimal("12.00"), "category", 0)
    assert lines["skincare"] == (Decimal("12.00"), "parent", 1)
    assert lines["serums"] == (Decimal("12.00"), "parent", 2)
    assert lines["food"] == (Decimal("5.00"), "platform", 0)


@pytest.mark.parametrize("who", WHO)
def test_commission_page_matrix(cast, tree, who):
    services.category_commission_set(
        merchant=cast.merchant, category=tree[0], by=cast.users["operator"], rate=Decimal("12")
    )
    expected = {
        **PAGE_NON_MEMBERS,
        "staff": "ok",
        "manager": "ok",
        "owner": "ok",
        "other_merchant": "ok",
    }
    response = cast[who].get(reverse("seller:commission"))
    assert page_outcome(response) == expected[who]
    if response.status_code == 200:
        html = response.content.decode()
        assert ("12.00%" in html) == (who != "other_merchant")  # B never sees A's rates


@pytest.mark.parametrize("who", WHO)
def test_commission_api_matrix(cast, tree, who):
    services.merchant_commission_set(
        merchant=cast.merchant, by=cast.users["operator"], rate=Decimal("7")
    )
    expected = {
        **API_NON_MEMBERS,
        "staff": "ok",
        "manager": "ok",
        "owner": "ok",
        "other_merchant": "ok",
    }
    response = cast[who].get("/api/v1/seller/commission/")
    assert api_outcome(response) == expected[who]
    if response.status_code == 200:
        body = response.json()
        assert body["default_rate"] == ("7.00" if who != "other_merchant" else "5.00")
        # Writes are not offered to merchants at all.
        assert (
            cast[who]
            .put(
                "/api/v1/seller/commission/", {"default_rate": "0"}, content_type="application/json"
            )
            .status_code
            == 405
        )


def test_commission_api_shape(cast, tree):
    services.category_commission_set(
        merchant=cast.merchant, category=tree[1], by=cast.users["operator"], rate=Decimal("9.5")
    )
    body = cast["staff"].get("/api/v1/seller/commission/").json()
    assert body["platform_rate"] == "5.00" and body["merchant_rate"] is None
    rows = {row["slug"]: row for row in body["categories"]}
    assert rows["skincare"] == {
        "category": tree[1].pk,
        "slug": "skincare",
        "name": "Skincare",
        "parent": tree[0].pk,
        "rate": "9.50",
        "source": "category",
    }
    assert rows["serums"]["source"] == "parent" and rows["beauty"]["source"] == "platform"


def test_commission_is_scoped_by_the_header_not_by_guessing(cast):
    # A member of B naming A gets nothing, not A's rates.
    response = cast["other_merchant"].get(
        "/api/v1/seller/commission/", headers={"X-Merchant": str(cast.merchant.pk)}
    )
    assert response.status_code == 403


def test_commission_page_query_count(cast, django_assert_max_num_queries):
    for n in range(20):
        CategoryFactory(slug=f"c-{n}")
    with django_assert_max_num_queries(8):
        assert cast["owner"].get(reverse("seller:commission")).status_code == 200


def test_the_chinese_commission_page_says_commission_not_tax(cast, tree):
    """The rate column was headed 税率 (tax rate): the msgid "Rate" is the duty breakdown's."""
    html = cast["owner"].get("/zh-hans/seller/commission/").content.decode()
    assert "<th>佣金比例</th>" in html
    assert "您的默认佣金比例" in html
    assert "税率" not in html and "费率" not in html


def test_no_commission_message_is_translated_as_a_tax_or_fee_rate():
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    with open(root / "locale/zh_Hans/LC_MESSAGES/django.po", "rb") as handle:
        catalog = read_po(handle)
    wrong = [
        message.id
        for message in catalog
        if isinstance(message.id, str)
        and "commission" in message.id.lower()
        and ("税率" in message.string or "费率" in message.string)
    ]
    assert wrong == []
