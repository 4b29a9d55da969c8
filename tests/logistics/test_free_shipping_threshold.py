"""Merchants set their free-shipping threshold in the seller portal and the seller API:
the team sees it, those who may set prices change it, nobody reaches another merchant's,
and checkout reads it for the pricing function."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from logistics.shipping.models import MerchantShipping
from logistics.shipping.rates import ParcelLine
from logistics.shipping.selectors import free_shipping_thresholds, shipping_options
from logistics.shipping.services import free_shipping_threshold_set
from marketplace.money import Money
from tests.factories import WarehouseFactory
from tests.logistics.shipping_helpers import RATES
from tests.marketplace.test_i18n import english_words
from tests.merchants.conftest import (
    API_NON_MEMBERS,
    PAGE_NON_MEMBERS,
    WHO,
    api_outcome,
    page_outcome,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/seller/shipping/"
EDITORS = {"staff": "ok", "manager": "ok", "owner": "ok"}


@pytest.fixture
def terms(cast):
    return free_shipping_threshold_set(
        merchant=cast.merchant, amount="199.00", currency="CNY", by=cast.users["owner"]
    )


def threshold_of(merchant):
    row = MerchantShipping.objects.filter(merchant=merchant).first()
    return None if row is None else (row.free_shipping_threshold, row.currency_id)


@pytest.mark.parametrize("who", WHO)
def test_page_matrix(cast, terms, who):
    expected = {**PAGE_NON_MEMBERS, **EDITORS, "other_merchant": "ok"}
    page = cast[who].get(reverse("shipping:free_shipping"))
    assert page_outcome(page) == expected[who]
    if who == "other_merchant":  # its own page, without merchant A's threshold
        assert "199.00" not in page.content.decode()
    cast[who].post(
        reverse("shipping:free_shipping"), {"free_shipping_threshold": "88.00", "currency": "CNY"}
    )
    changed = threshold_of(cast.merchant) == (D("88.00"), "CNY")
    assert changed == (who in EDITORS)
    if who == "other_merchant":
        assert threshold_of(cast.other_merchant) == (D("88.00"), "CNY")


@pytest.mark.parametrize("who", WHO)
def test_api_matrix(cast, terms, who):
    expected = {**API_NON_MEMBERS, **EDITORS, "other_merchant": "ok"}
    response = cast[who].get(URL)
    assert api_outcome(response) == expected[who]
    if who == "owner":
        assert response.json()["free_shipping_threshold"] == "199.00"
        assert "sf-standard" in response.json()["covered_methods"]
        assert "dhl-express" not in response.json()["covered_methods"]
    if who == "other_merchant":
        assert response.json()["free_shipping_threshold"] is None
    cast[who].patch(URL, {"free_shipping_threshold": "66.00"}, content_type="application/json")
    assert (threshold_of(cast.merchant) == (D("66.00"), "CNY")) == (who in EDITORS)


def test_another_merchants_threshold_cannot_be_named(cast, terms):
    # Merchant B's owner asks to act for merchant A: refused, and A's terms are untouched.
    intruder = cast["other_merchant"]
    header = {"X-Merchant": str(cast.merchant.pk)}
    assert intruder.get(URL, headers=header).status_code == 403
    response = intruder.put(
        URL,
        {"free_shipping_threshold": "1.00", "currency": "CNY"},
        content_type="application/json",
        headers=header,
    )
    assert response.status_code == 403
    assert threshold_of(cast.merchant) == (D("199.00"), "CNY")
    assert threshold_of(cast.other_merchant) is None


def test_a_manager_sets_and_clears_it_through_the_api(cast):
    manager = cast["manager"]
    response = manager.put(
        URL,
        {"free_shipping_threshold": "25.50", "currency": "usd"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["free_shipping_threshold"] == "25.50"
    assert threshold_of(cast.merchant) == (D("25.50"), "USD")
    manager.patch(URL, {"free_shipping_threshold": None}, content_type="application/json")
    assert threshold_of(cast.merchant) == (None, "USD")


def test_api_errors_name_the_field(cast):
    owner = cast["owner"]
    bad = owner.put(
        URL,
        {"free_shipping_threshold": "1000.5", "currency": "JPY"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "free_shipping_threshold" in bad.json()["error"]["fields"]
    unknown = owner.put(
        URL, {"free_shipping_threshold": "10", "currency": "XYZ"}, content_type="application/json"
    )
    assert unknown.status_code == 400 and "currency" in unknown.json()["error"]["fields"]
    negative = owner.put(
        URL, {"free_shipping_threshold": "-1", "currency": "CNY"}, content_type="application/json"
    )
    assert negative.status_code == 400
    assert threshold_of(cast.merchant) is None


def test_the_page_shows_errors_by_field_and_keeps_nothing_half_saved(cast, terms):
    response = cast["owner"].post(
        reverse("shipping:free_shipping"), {"free_shipping_threshold": "10.5", "currency": "JPY"}
    )
    assert response.status_code == 200
    assert "JPY amount cannot have that many decimals" in response.content.decode()
    assert threshold_of(cast.merchant) == (D("199.00"), "CNY")


def test_the_page_in_chinese_has_no_english(cast, terms):
    html = cast["owner"].get("/zh-hans/seller/shipping/").content.decode()
    assert "顺丰标快" in html
    assert english_words(html) == set()


def test_checkout_reads_thresholds_in_one_query_and_the_threshold_frees_shipping(
    cast, terms, django_assert_num_queries
):
    with django_assert_num_queries(1):
        found = free_shipping_thresholds([cast.merchant.pk, cast.other_merchant.pk])
    assert found == {cast.merchant.pk: Money(D("199.00"), "CNY")}
    bonded = WarehouseFactory(kind="bonded", country="CN")

    def cheapest(subtotal):
        return shipping_options(
            warehouse_id=bonded.pk,
            country="CN",
            province="BJ",
            lines=[ParcelLine(2, D("0.6"))],
            goods_subtotal=Money(D(subtotal), "CNY"),
            free_shipping_threshold=found.get(cast.merchant.pk),
            currency="CNY",
            fx_rates=RATES,
            ship_on=date(2026, 12, 7),
        ).options[0]

    assert cheapest("199.00").price == Money(D("0"), "CNY")
    assert cheapest("198.99").price == Money(D("11.00"), "CNY")  # China Post: 8 + 1 step × 3
