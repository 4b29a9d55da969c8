"""The account's address book pages (/<lang>/account/addresses/): add, edit, delete, set the
default, saved customs identities shown masked; only the owner's rows; both languages; the
header's account menu links to it (and stays a page-cache hole)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from customs.models import BuyerIdentity
from customs.services import buyer_identity_save
from marketplace.models import PersonalDataAccess
from orders.models import SavedAddress
from orders.services import address_save
from tests.factories import UserFactory
from tests.orders.checkout_helpers import ADDRESS_CN, ADDRESS_US, id_number
from tests.querycounts import count_queries

pytestmark = pytest.mark.django_db

ABROAD = ADDRESS_US


def posted(address: dict, **extra) -> dict:
    return {f"address-{key}": value for key, value in {**address, **extra}.items()}


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def url(name: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"account_addresses:{name}", args=args)


def test_anonymous_shoppers_are_sent_to_log_in():
    response = Client().get(url("list"))
    assert response.status_code == 302 and "/login/" in response.url


def test_add_edit_make_default_and_delete_an_address():
    user = UserFactory()
    client = signed_in(user)
    response = client.post(url("list"), posted(ADDRESS_CN, label="家"))
    assert response.status_code == 302
    home = SavedAddress.objects.get(user=user)
    assert home.is_default and home.province == "CN-ZJ" and home.label == "家"
    client.post(url("list"), posted(ABROAD, label="office"))
    office = SavedAddress.objects.get(user=user, label="office")
    assert not office.is_default
    page = client.get(url("list")).content.decode()
    assert "文三路 100 号" in page and "1 Market St" in page
    # edit through the one address rule
    response = client.post(url("edit", office.pk), posted(ABROAD, label="work", city="Oakland"))
    assert response.status_code == 302
    office.refresh_from_db()
    assert (office.city, office.label) == ("Oakland", "work")
    # set the default
    client.post(url("default", office.pk))
    assert SavedAddress.objects.get(is_default=True) == office
    # delete the default: the oldest left becomes it
    client.post(url("delete", office.pk))
    assert list(SavedAddress.objects.values_list("pk", "is_default")) == [(home.pk, True)]


def test_a_bad_address_is_shown_with_the_rules_reasons():
    client = signed_in(UserFactory())
    response = client.post(url("list"), posted(ADDRESS_CN, phone="123"))
    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()
    assert not SavedAddress.objects.exists()


def test_another_shoppers_address_and_identity_are_not_found():
    owner, other = UserFactory(), UserFactory()
    saved = address_save(user=owner, address=ADDRESS_CN)
    identity = buyer_identity_save(user=owner, name="王小明", id_number=id_number())
    client = signed_in(other)
    assert client.get(url("edit", saved.pk)).status_code == 404
    assert client.post(url("edit", saved.pk), posted(ABROAD)).status_code == 404
    assert client.post(url("default", saved.pk)).status_code == 404
    assert client.post(url("delete", saved.pk)).status_code == 404
    assert client.post(url("identity_delete", identity.pk)).status_code == 404
    assert "文三路" not in client.get(url("list")).content.decode()
    saved.refresh_from_db()
    assert saved.name == ADDRESS_CN["name"] and BuyerIdentity.objects.filter(pk=identity.pk)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_identities_are_saved_and_shown_masked_only(language):
    user = UserFactory()
    client = signed_in(user)
    number = id_number()
    reads_before = PersonalDataAccess.objects.count()
    response = client.post(
        url("identity_add", language=language),
        {"identity-name": "王小明", "identity-id_number": number},
    )
    assert response.status_code == 302
    page = client.get(url("list", language=language)).content.decode()
    identity = BuyerIdentity.objects.get(user=user)
    assert identity.id_masked in page and number not in page
    assert PersonalDataAccess.objects.count() == reads_before  # the number is never read
    heading = {"en": "Customs identities", "zh-hans": "海关身份信息"}[language]
    assert heading in page
    # a number with a wrong check character is refused with the reason
    bad = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = client.post(
        url("identity_add", language=language),
        {"identity-name": "李四", "identity-id_number": bad},
    )
    assert response.status_code == 400 and BuyerIdentity.objects.count() == 1
    client.post(url("identity_delete", identity.pk, language=language))
    assert not BuyerIdentity.objects.exists()


def test_the_page_reads_a_fixed_number_of_queries(django_assert_max_num_queries):
    user = UserFactory()
    client = signed_in(user)
    address_save(user=user, address=ADDRESS_CN)
    buyer_identity_save(user=user, name="王小明", id_number=id_number())
    client.get(url("list"))  # the session and the account menu are cached from here on
    few = count_queries(client, url("list"))
    for n in range(4):
        address_save(user=user, address={**ABROAD, "lines": f"{n} Market St"})
        buyer_identity_save(user=user, name="王小明", id_number=id_number(f"00{n + 2}"))
    assert count_queries(client, url("list")) <= few  # more rows, no more queries
    with django_assert_max_num_queries(5):
        client.get(url("list"))


def test_the_account_menu_links_to_the_address_book_on_cached_pages():
    user = UserFactory()
    client = signed_in(user)
    Client().get("/en/")  # the home page, stored for everyone by the page cache
    page = client.get("/en/").content.decode()
    assert url("list") in page
    assert url("list") not in Client().get("/en/").content.decode()  # not for anonymous
