"""Seed the currencies the platform starts with and a first set of FX rates.

Rates are a starting point for the demo and tests (base CNY); operators replace them in the
back office. Minor units come from ISO 4217 (CLDR via Babel).
"""

from decimal import Decimal

from django.db import migrations

CURRENCIES = [
    ("CNY", "Chinese Yuan", 2, None),
    ("USD", "US Dollar", 2, "7.10000000"),
    ("EUR", "Euro", 2, "7.70000000"),
    ("GBP", "British Pound", 2, "9.00000000"),
    ("JPY", "Japanese Yen", 0, "0.04700000"),
    ("HKD", "Hong Kong Dollar", 2, "0.91000000"),
    ("AUD", "Australian Dollar", 2, "4.65000000"),
]


def seed(apps, schema_editor):
    Currency = apps.get_model("marketplace", "Currency")
    ExchangeRate = apps.get_model("marketplace", "ExchangeRate")
    for code, name, minor, rate in CURRENCIES:
        currency, _ = Currency.objects.get_or_create(
            code=code, defaults={"name": name, "minor_unit": minor}
        )
        if rate and not ExchangeRate.objects.filter(currency=currency).exists():
            ExchangeRate.objects.create(currency=currency, rate=Decimal(rate))


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
