"""Saved addresses on the account: the one address check, one default, only one's own."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from orders.selectors import address_default, address_of, addresses_of
from orders.services import address_clean, address_delete, address_save
from tests.factories import UserFactory
from tests.orders.checkout_helpers import ADDRESS_CN

pytestmark = pytest.mark.django_db

ABROAD = {
    "name": "Ann Lee",
    "phone": "+1 415-555-0100",
    "country": "us",
    "city": "San Francisco",
    "lines": "1 Market St",
}


def test_the_first_address_is_the_default_and_a_new_default_replaces_it():
    user = UserFactory()
    home = address_save(user=user, address=ADDRESS_CN, label="家")
    assert home.is_default and address_default(user=user) == home
    office = address_save(user=user, address=ABROAD, default=True)
    home.refresh_from_db()
    assert office.is_default and not home.is_default
    assert [a.pk for a in addresses_of(user=user)] == [office.pk, home.pk]
    assert office.as_address()["country"] == "US"
    address_delete(user=user, saved=office)
    assert address_default(user=user).pk == home.pk


def test_another_shoppers_address_is_out_of_reach():
    owner, other = UserFactory(), UserFactory()
    saved = address_save(user=owner, address=ADDRESS_CN)
    assert address_of(user=other, pk=saved.pk) is None
    with pytest.raises(ValidationError) as caught:
        address_save(user=other, address=ABROAD, saved=saved)
    assert caught.value.code == "unknown_address"
    with pytest.raises(ValidationError):
        address_delete(user=other, saved=saved)
    saved.refresh_from_db()
    assert saved.country == "CN"


def test_country_aware_rules():
    with pytest.raises(ValidationError) as caught:
        address_clean({"country": "XK", "phone": "１３８"})
    fields = {f: [e.code for e in errors] for f, errors in caught.value.error_dict.items()}
    assert fields["country"] == ["unknown_country"]
    assert fields["phone"] == ["invalid_phone"]
    assert fields["name"] == ["address_field_required"]
    # abroad: no province or district needed; the postal code in the country's format where
    # logistics.postcodes knows it, free text elsewhere
    assert address_clean({**ABROAD, "postcode": "94105-1234"})["postcode"] == "94105-1234"
    with pytest.raises(ValidationError) as caught:
        address_clean({**ABROAD, "postcode": "SW1A 1AA"})
    assert caught.value.error_dict["postcode"][0].code == "invalid_postcode"
    assert "e.g. 94105" in caught.value.messages[0]
    brazil = {**ABROAD, "country": "BR", "postcode": "01310-100 x"}
    assert address_clean(brazil)["postcode"] == "01310-100 X"
    # China: an 11-digit mobile (+86 allowed), a postal code of the province chosen
    assert address_clean({**ADDRESS_CN, "phone": "+86 138 0013 8000"})["phone"]
    for change, code in (
        ({"phone": "0571-8888 1234"}, "invalid_cn_mobile"),
        ({"postcode": "100000"}, "postcode_province_mismatch"),
    ):
        with pytest.raises(ValidationError) as caught:
            address_clean({**ADDRESS_CN, **change})
        assert [e.code for errors in caught.value.error_dict.values() for e in errors] == [code]
    assert address_clean({**ADDRESS_CN, "province": "Zhejiang"})["province"] == "CN-ZJ"
    with pytest.raises(ValidationError) as caught:
        address_clean({**ADDRESS_CN, "province": "Atlantis"})
    assert caught.value.error_dict["province"][0].code == "unknown_province"
