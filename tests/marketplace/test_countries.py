"""The one country list: codes, names in both languages, the validator every app uses."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from marketplace.countries import country_choices, country_codes, country_name, validate_country


def test_the_list_is_iso_3166_1_and_nothing_else():
    codes = country_codes()
    assert len(codes) == 249
    assert {"CN", "NZ", "JP", "DE", "US", "TW", "HK", "MO"} <= codes
    # groupings, pseudo-regions, exceptionally reserved codes and Kosovo are not countries
    for code in ("EU", "UN", "ZZ", "XA", "IC", "EA", "AC", "XK"):
        assert code not in codes


def test_names_follow_the_page_language():
    with translation.override("zh-hans"):
        assert country_name("NZ") == "新西兰"
        assert dict(country_choices())["JP"] == "日本"
    with translation.override("en"):
        assert country_name("nz") == "New Zealand"
        assert dict(country_choices(with_code=True))["JP"] == "Japan (JP)"
    assert country_name("") == ""


def test_choices_are_sorted_by_name():
    names = [name for _code, name in country_choices("en")]
    assert names == sorted(names)


@pytest.mark.parametrize("value", ["XX", "XK", "EU", "nz", "", "NZL"])
def test_the_validator_refuses_what_is_not_a_country(value):
    with pytest.raises(ValidationError) as caught:
        validate_country(value)
    assert caught.value.code == "invalid_country"


def test_the_validator_accepts_a_country():
    validate_country("NZ")


@pytest.mark.django_db
def test_every_country_field_uses_the_one_validator():
    from catalog.models import SKU, Brand
    from logistics.models import Warehouse
    from merchants.models import Merchant, MerchantApplication

    fields = [
        Brand._meta.get_field("country"),
        SKU._meta.get_field("origin_country"),
        Warehouse._meta.get_field("country"),
        Merchant._meta.get_field("country"),
        MerchantApplication._meta.get_field("country"),
    ]
    for field in fields:
        assert validate_country in field.validators, field
