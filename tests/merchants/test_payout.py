"""Payout details: owners view them masked and change them; nobody else can; changes are
encrypted at rest and written to the merchant's history."""

import pytest
from django.db import connection
from django.urls import reverse

from merchants import services
from merchants.models import MerchantEvent, PayoutDetails
from tests.merchants.conftest import (
    API_NON_MEMBERS,
    PAGE_NON_MEMBERS,
    WHO,
    api_outcome,
    page_outcome,
)

pytestmark = pytest.mark.django_db

IBAN = "DE89370400440532013000"
OWNERS_ONLY = {"staff": "forbidden", "manager": "forbidden", "owner": "ok"}


@pytest.fixture
def payout(cast):
    return services.payout_details_set(
        by=cast.users["owner"],
        merchant=cast.merchant,
        bank_name="Commerzbank",
        account_holder="Alpha Trading GmbH",
        account_number="DE89 3704 0044 0532 0130 00",
        swift="cobadeffxxx",
    )


def test_stored_encrypted_and_shown_masked(cast, payout):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT payout_account_number FROM merchants_payoutdetails WHERE id = %s", [payout.pk]
        )
        raw = cursor.fetchone()[0]
    assert IBAN not in raw and "3000" not in raw
    assert PayoutDetails.objects.get().payout_account_number == IBAN
    html = cast["owner"].get(reverse("seller:payout")).content.decode()
    assert "******************3000" in html and IBAN not in html
    assert "COBADEFFXXX" in html and "Commerzbank" in html


def test_every_change_is_in_the_history_without_the_number(cast, payout):
    services.payout_details_set(
        by=cast.users["owner"],
        merchant=cast.merchant,
        bank_name="Deutsche Bank",
        account_holder="Alpha Trading GmbH",
        swift="DEUTDEFF",
    )
    notes = MerchantEvent.objects.filter(subject=cast.merchant, transition="payout_change")
    assert [n.actor for n in notes] == [cast.users["owner"]] * 2
    last = notes.last()
    assert last.details == {
        "old": "Commerzbank ******************3000",
        "new": "Deutsche Bank ******************3000",
    }
    profile = cast["staff"].get(reverse("seller:profile")).content.decode()
    assert "Payout details changed" in profile and IBAN not in profile


@pytest.mark.parametrize("who", WHO)
def test_payout_pages_matrix(cast, payout, who):
    expected = {**PAGE_NON_MEMBERS, **OWNERS_ONLY, "other_merchant": "ok"}
    for name in ("seller:payout", "seller:payout_edit"):
        response = cast[who].get(reverse(name))
        assert page_outcome(response) == expected[who], name
        if who == "other_merchant":
            assert "Commerzbank" not in response.content.decode()
    cast[who].post(
        reverse("seller:payout_edit"),
        {"bank_name": f"Bank of {who}", "account_holder": "X", "swift": "DEUTDEFF"},
    )
    changed = PayoutDetails.objects.get(merchant=cast.merchant).payout_bank_name
    assert (changed == f"Bank of {who}") == (who == "owner")


@pytest.mark.parametrize("who", WHO)
def test_payout_api_matrix(cast, payout, who):
    expected = {**API_NON_MEMBERS, **OWNERS_ONLY, "other_merchant": "ok"}
    response = cast[who].get("/api/v1/seller/payout/")
    assert api_outcome(response) == expected[who]
    if who == "owner":
        assert response.json()["account_number_masked"] == "******************3000"
        assert "account_number" not in response.json()
    if who == "other_merchant":
        assert response.json()["bank_name"] is None
    cast[who].patch(
        "/api/v1/seller/payout/",
        {"bank_name": f"Bank of {who}"},
        content_type="application/json",
    )
    changed = PayoutDetails.objects.get(merchant=cast.merchant).payout_bank_name
    assert (changed == f"Bank of {who}") == (who == "owner")


def test_owner_changes_the_account_through_the_page(cast, payout):
    page = cast["owner"].get(reverse("seller:payout_edit")).content.decode()
    assert "Leave empty to keep ******************3000" in page and IBAN not in page
    response = cast["owner"].post(
        reverse("seller:payout_edit"),
        {
            "bank_name": "HSBC",
            "account_holder": "Alpha Trading Ltd",
            "account_number": "GB82 WEST 1234 5698 7654 32",
            "swift": "MIDLGB22",
        },
    )
    assert response.url == reverse("seller:payout")
    details = PayoutDetails.objects.get(merchant=cast.merchant)
    assert details.payout_account_number == "GB82WEST12345698765432"
    assert details.updated_by == cast.users["owner"]


def test_page_errors_name_the_field(cast, payout):
    response = cast["owner"].post(
        reverse("seller:payout_edit"),
        {
            "bank_name": "",
            "account_holder": "X",
            "account_number": "GB00WEST12345698765432",
            "swift": "12",
        },
    )
    html = response.content.decode()
    assert "This field is required." in html
    assert "This IBAN&#x27;s check digits are wrong" in html
    assert "A SWIFT/BIC code has 8 or 11 letters and digits" in html
    assert PayoutDetails.objects.get().payout_bank_name == "Commerzbank"


def test_first_payout_details_need_an_account_number(cast):
    response = cast["owner"].post(
        reverse("seller:payout_edit"),
        {"bank_name": "ANZ", "account_holder": "X", "swift": "ANZBNZ22"},
    )
    assert "This field is required." in response.content.decode()
    assert not PayoutDetails.objects.exists()
    ok = cast["owner"].put(
        "/api/v1/seller/payout/",
        {
            "bank_name": "ANZ",
            "account_holder": "X",
            "account_number": "01-0123-0456789-00",
            "swift": "ANZBNZ22",
        },
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["account_number_masked"].endswith("8900")


def test_api_errors_in_the_one_format_and_translated(cast, payout):
    response = cast["owner"].patch(
        "/api/v1/seller/payout/",
        {"swift": "X", "account_number": "GB00WEST12345698765432"},
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"swift", "account_number"}
    zh = cast["owner"].patch(
        "/api/v1/seller/payout/",
        {"swift": "X"},
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )
    assert "SWIFT" in zh.json()["error"]["fields"]["swift"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.json()["error"]["fields"]["swift"][0])
    assert PayoutDetails.objects.get().payout_swift == "COBADEFFXXX"


def test_payout_is_scoped_by_the_header(cast, payout):
    response = cast["other_merchant"].get(
        "/api/v1/seller/payout/", headers={"X-Merchant": str(cast.merchant.pk)}
    )
    assert response.status_code == 403


def test_payout_nav_link_only_for_owners(cast, payout):
    assert (
        reverse("seller:payout") in cast["owner"].get(reverse("seller:dashboard")).content.decode()
    )
    assert (
        reverse("seller:payout")
        not in cast["staff"].get(reverse("seller:dashboard")).content.decode()
    )
