"""/api/v1/addresses/: the shopper's saved addresses through the API, only the owner's rows
(anonymous, the shopper, another shopper, a merchant's owner, an operator), in the schema."""

from __future__ import annotations

import pytest
from django.test import Client

from merchants.roles import Role
from orders.models import SavedAddress
from orders.services import address_save
from tests.factories import MembershipFactory, OperatorFactory, UserFactory
from tests.orders.checkout_helpers import ADDRESS_CN, ADDRESS_US

pytestmark = pytest.mark.django_db

ABROAD = ADDRESS_US
WHO = ["anonymous", "shopper", "other_shopper", "merchant_owner", "operator"]


@pytest.fixture
def cast(client_for):
    shopper = UserFactory()
    saved = address_save(user=shopper, address=ADDRESS_CN, label="家")
    people = {
        "shopper": shopper,
        "other_shopper": UserFactory(),
        "merchant_owner": MembershipFactory(role=Role.OWNER).user,
        "operator": OperatorFactory(),
    }
    clients = {who: client_for(user) for who, user in people.items()}
    clients["anonymous"] = Client()
    return saved, clients


@pytest.mark.parametrize("who", WHO)
def test_only_the_owner_reads_and_changes_their_addresses(cast, who):
    saved, clients = cast
    client = clients[who]
    listed = client.get("/api/v1/addresses/")
    one = client.get(f"/api/v1/addresses/{saved.pk}/")
    changed = client.patch(
        f"/api/v1/addresses/{saved.pk}/", {"city": "宁波市"}, content_type="application/json"
    )
    deleted = client.delete(f"/api/v1/addresses/{saved.pk}/")
    if who == "anonymous":
        assert {r.status_code for r in (listed, one, changed, deleted)} <= {401, 403}
        assert SavedAddress.objects.filter(pk=saved.pk).exists()
        return
    assert listed.status_code == 200
    if who == "shopper":
        assert [a["id"] for a in listed.json()] == [saved.pk]
        assert one.status_code == 200 and one.json()["label"] == "家"
        assert one.json()["default"] is True and one.json()["province"] == "CN-ZJ"
        assert changed.status_code == 200 and changed.json()["city"] == "宁波市"
        assert deleted.status_code == 204 and not SavedAddress.objects.exists()
    else:
        assert listed.json() == []
        assert {one.status_code, changed.status_code, deleted.status_code} == {404}
        saved.refresh_from_db()
        assert saved.city == ADDRESS_CN["city"]


def test_add_make_default_and_a_refusal_names_its_field(client_for):
    user = UserFactory()
    client = client_for(user)
    first = client.post("/api/v1/addresses/", ADDRESS_CN, content_type="application/json")
    assert first.status_code == 201 and first.json()["default"] is True
    second = client.post(
        "/api/v1/addresses/", {**ABROAD, "label": "office"}, content_type="application/json"
    )
    assert second.status_code == 201 and second.json()["default"] is False
    made = client.patch(
        f"/api/v1/addresses/{second.json()['id']}/",
        {"default": True},
        content_type="application/json",
    )
    assert made.status_code == 200 and made.json()["default"] is True
    assert [a["label"] for a in client.get("/api/v1/addresses/").json()] == ["office", ""]
    bad = client.post(
        "/api/v1/addresses/", {**ADDRESS_CN, "phone": "123"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "error" in bad.json()
    assert SavedAddress.objects.filter(user=user).count() == 2


def test_the_addresses_api_is_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/addresses/" in schema and "/api/v1/addresses/{id}/" in schema
