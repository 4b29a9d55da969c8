"""Reference data every installation starts with: currencies and a first set of FX rates.

Rates are a starting point for the demo and tests (base CNY); operators replace them in the
back office. Minor units are not stored: ``Currency.minor_unit`` reads the money kernel's. Used by the data migration (with historical models)
and by the test suite after a transactional test has flushed the database.
"""

from collections.abc import Callable
from decimal import Decimal

CURRENCIES = [
    ("CNY", "Chinese Yuan", None),
    ("USD", "US Dollar", "7.10000000"),
    ("EUR", "Euro", "7.70000000"),
    ("GBP", "British Pound", "9.00000000"),
    ("JPY", "Japanese Yen", "0.04700000"),
    ("HKD", "Hong Kong Dollar", "0.91000000"),
    ("AUD", "Australian Dollar", "4.65000000"),
]


def seed_currencies(get_model: Callable[[str, str], type]) -> None:
    """Create the founding currencies and their first rates; leaves existing rows alone."""
    Currency = get_model("marketplace", "Currency")  # noqa: N806 - a model class
    ExchangeRate = get_model("marketplace", "ExchangeRate")  # noqa: N806
    for code, name, rate in CURRENCIES:
        currency, _ = Currency.objects.get_or_create(code=code, defaults={"name": name})
        if rate and not ExchangeRate.objects.filter(currency=currency).exists():
            ExchangeRate.objects.create(currency=currency, rate=Decimal(rate))
