"""Fixtures for the Django layer of the duty & tax engine (the engine tests need none)."""

import pytest


def make_id_number(serial: int, *, birth: str = "19900307", region: str = "110101") -> str:
    """A well-formed identity number (GB 11643 check character) for test buyer ``serial``."""
    from customs.identity import id_check_character

    first17 = f"{region}{birth}{serial % 1000:03d}"
    return first17 + id_check_character(first17)


@pytest.fixture
def id_number():
    """A factory of valid identity numbers: ``id_number(1)``, ``id_number(2)``…"""
    return make_id_number


@pytest.fixture
def rate_tables(db):
    """The shipped rate data in the tables, and no RateBook cached from an earlier test.

    Migrations seed the tables, but a transactional test empties every table when it ends;
    seeding again is idempotent.
    """
    from django.apps import apps

    from customs.seeding import seed_rate_tables
    from customs.selectors import ratebook_invalidate

    seed_rate_tables(apps.get_model)
    ratebook_invalidate()
    yield
    ratebook_invalidate()


@pytest.fixture
def fx(db):
    """The operator's FX table as the migrations seed it (base CNY), whatever ran before."""
    from decimal import Decimal

    from django.core.cache import cache

    from marketplace.models import Currency, ExchangeRate
    from marketplace.selectors import FX_CACHE_KEY

    rates = {"USD": "7.10", "EUR": "7.70", "GBP": "9.00", "AUD": "4.65"}
    Currency.objects.get_or_create(code="CNY", defaults={"name": "Chinese Yuan"})
    for code, rate in rates.items():
        currency, _ = Currency.objects.get_or_create(code=code, defaults={"name": code})
        ExchangeRate.objects.filter(currency=currency).delete()
        ExchangeRate.objects.create(currency=currency, rate=Decimal(rate))
    cache.delete(FX_CACHE_KEY)
    return {code: Decimal(rate) for code, rate in rates.items()}
