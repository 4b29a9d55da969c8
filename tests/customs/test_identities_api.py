"""A shopper's saved identities (/api/v1/account/identities/): theirs alone, masked, and the
key to seeing their own yearly allowance in a quote."""

from decimal import Decimal

import pytest
from django.test import Client

from customs.models import BuyerIdentity
from customs.services import quota_record_usage
from tests.customs.test_quote_api import order, post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/account/identities/"


def save(client, number, name="张三"):
    return client.post(URL, {"name": name, "id_number": number}, content_type="application/json")


def test_a_shopper_saves_an_identity_and_sees_only_its_masked_form(client_for, id_number):
    shopper = client_for(UserFactory())
    number = id_number(31)
    response = save(shopper, number.lower() if number[-1] == "X" else f" {number} ")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "张三" and body["id_masked"] == number[0] + "*" * 13 + number[-4:]
    assert "id_number" not in body and number not in response.content.decode()
    listed = shopper.get(URL).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert number not in shopper.get(URL).content.decode()
    stored = BuyerIdentity.objects.get()
    assert stored.id_number == number  # decrypted for code, encrypted in the table


def test_saving_the_same_number_twice_keeps_one_row(client_for, id_number):
    shopper = client_for(UserFactory())
    save(shopper, id_number(32))
    again = save(shopper, id_number(32), name="张三丰")
    assert again.status_code == 201
    assert [r["name"] for r in shopper.get(URL).json()["results"]] == ["张三丰"]


def test_a_malformed_number_names_the_field_in_the_request_language(client_for):
    shopper = client_for(UserFactory())
    response = shopper.post(
        URL,
        {"name": "张三", "id_number": "110101199003071235"},
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )
    assert response.status_code == 400
    assert "id_number" in response.json()["error"]["fields"]
    assert not BuyerIdentity.objects.exists()


def test_only_the_owner_reaches_a_saved_identity(client_for, id_number):
    owner = client_for(UserFactory())
    created = save(owner, id_number(33)).json()
    other = client_for(UserFactory())
    assert other.get(URL).json()["results"] == []
    assert other.delete(f"{URL}{created['id']}/").status_code == 404
    assert BuyerIdentity.objects.filter(pk=created["id"]).exists()
    anonymous = Client()
    assert anonymous.get(URL).status_code in (401, 403)
    assert save(anonymous, id_number(34)).status_code in (401, 403)
    assert owner.delete(f"{URL}{created['id']}/").status_code == 204
    assert not BuyerIdentity.objects.exists()


def test_a_saved_identity_unlocks_its_allowance_in_the_owners_quote(
    client_for, rate_tables, id_number
):
    number = id_number(35)
    quota_record_usage(id_number=number, year=2026, amount=Decimal("1000.00"), reference="SO-9")
    shopper = client_for(UserFactory())
    assert post(shopper, order(id_number=number)).json()["yearly_remaining"] is None
    save(shopper, number)
    assert post(shopper, order(id_number=number)).json()["yearly_remaining"] == "25000.00"
